// SchemaSet: the structural (XSD) check of e-invoices with the official UBL 2.1 and UN/CEFACT
// CII D16B schemas, compiled once from a configured folder.
// Thread-safe: a loaded set is immutable; Validate may run on many threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"

struct _xmlSchema;  // libxml2's compiled schema (xmlSchema); kept out of this header

namespace gw::formats::xsd {

// The document types the set checks, chosen by the root element's expanded name.
// The national formats (root element without namespace) come from a folder laid out as the
// shared/formats collection: estonia-einvoice/xsd/ and finvoice/xsd/.
enum class DocumentSchema { kUblInvoice, kUblCreditNote, kCii, kEeInvoice, kFinvoice };
inline constexpr size_t kDocumentSchemaCount = 5;

// "UBL 2.1 Invoice", "UBL 2.1 CreditNote", "UN/CEFACT CII D16B CrossIndustryInvoice",
// "Estonian e-invoice 1.2.EN", "Finvoice 3.0".
std::string_view DocumentSchemaName(DocumentSchema schema);
// Where the main schema file lies inside the folder, e.g. "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd".
std::string_view DocumentSchemaPath(DocumentSchema schema);

// Profile schemas, optional members of a set, checked after the syntax's own schema for the CII
// documents whose specification identifier (BT-24) names the profile.
enum class ProfileSchema { kFacturXEn16931, kFacturXBasic };
inline constexpr size_t kProfileSchemaCount = 2;
// "Factur-X 1.0 EN16931 profile", "Factur-X 1.0 BASIC profile".
std::string_view ProfileSchemaName(ProfileSchema schema);
// "facturx/en16931/FACTUR-X_EN16931.xsd", "facturx/basic/FACTUR-X_BASIC.xsd".
std::string_view ProfileSchemaPath(ProfileSchema schema);

class SchemaSet {
 public:
  struct Limits {
    size_t max_bytes = 64 * 1024 * 1024;  // larger documents are refused before parsing
    size_t max_findings = 1000;           // the check stops after this many schema errors
  };

  ~SchemaSet();
  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;

  // Compiles the schemas found in `folder`, laid out as the official distributions are:
  //   ubl-2.1/maindoc/UBL-Invoice-2.1.xsd and UBL-CreditNote-2.1.xsd (with ubl-2.1/common/),
  //   cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd (with its code lists),
  // and optionally the Factur-X 1.0 profile schemas facturx/en16931/FACTUR-X_EN16931.xsd and
  // facturx/basic/FACTUR-X_BASIC.xsd (the distribution's folders, with their modules); the
  // national formats' schemas estonia-einvoice/xsd/e-invoice_ver1.2.EN.xsd and
  // finvoice/xsd/Finvoice3.0.xsd. The Estonian schema is compiled with its CustomContent
  // wildcards made lax (they are processContents="skip"): an EN16931 extension block (PartyEN,
  // VATEN, ...) inside CustomContent is then checked against its definition in the same schema,
  // as the 1.2.EN description requires, and other custom content is still accepted.
  // Reads nothing from the network and no file outside `folder` (symbolic links resolved): every
  // schema document, xs:include and xs:import goes through a loader that refuses anything else.
  // A folder with only some of the five schemas loads; missing() names the absent ones and
  // Validate refuses their documents. Errors: kNotFound when the folder does not exist or holds
  // none of the five; kFailedPrecondition when a schema is present but does not compile or
  // refers to something outside the folder (the message names the file and the reason).
  // Takes about 50 ms per schema; do it once at start-up and share the result.
  static Result<std::shared_ptr<const SchemaSet>> Load(const std::string& folder,
                                                       const Limits& limits);
  static Result<std::shared_ptr<const SchemaSet>> Load(const std::string& folder) {
    return Load(folder, Limits{});
  }

  // Checks `xml` against the schema its root element selects: the UBL 2.1 Invoice-2 or
  // CreditNote-2 namespace, or CII `urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100`.
  // A CII document valid against D16B whose BT-24 is exactly `urn:cen.eu:en16931:2017` (the
  // Factur-X EN16931 profile) or ends in `urn:factur-x.eu:1p0:basic` is then checked against that
  // profile's schema too, when the set has it; its findings say "Factur-X ... profile schema".
  //
  // Returns every schema error as a Finding: rule "XSD", severity fatal, location the element's
  // XPath in the rule engine's form ("/Invoice/cac:InvoiceLine[2]/cbc:ID[1]", with the prefixes
  // cbc, cac, ext, rsm, ram, udt, qdt whatever the document uses), message "line N: " and
  // libxml2's message, N the line of the element (where its start tag ends, as xmllint counts).
  // An empty vector means valid. An unknown root element is one finding. After
  // Limits::max_findings errors the check stops, with a last finding saying so.
  //
  // The document is parsed hardened: any DOCTYPE is refused, so no entity can be declared (no
  // XXE, no expansion bomb); nothing is loaded (xsi:schemaLocation is ignored; no network, no
  // XInclude); libxml2's own depth and size limits stay on.
  //
  // Errors: kInvalidArgument with one finding, rule "xml.syntax" (not well-formed), "xml.doctype"
  // or "xml.limit" (larger than Limits::max_bytes); kFailedPrecondition when the root selects a
  // schema that is not installed; kInternal when libxml2 fails. `xml` is only read during the
  // call.
  Result<std::vector<Finding>> Validate(std::string_view xml) const;

  bool Has(DocumentSchema schema) const { return schemas_[Index(schema)] != nullptr; }
  bool Has(ProfileSchema schema) const { return profiles_[static_cast<size_t>(schema)] != nullptr; }
  // One line per absent schema: its name and the path that was looked for.
  const std::vector<std::string>& missing() const { return missing_; }
  // The canonical folder the schemas were read from.
  const std::string& folder() const { return folder_; }
  const Limits& limits() const { return limits_; }

 private:
  struct SchemaFree {
    void operator()(_xmlSchema* schema) const;
  };
  using SchemaPtr = std::unique_ptr<_xmlSchema, SchemaFree>;

  SchemaSet() = default;
  static size_t Index(DocumentSchema schema) { return static_cast<size_t>(schema); }

  std::array<SchemaPtr, kDocumentSchemaCount> schemas_;
  std::array<SchemaPtr, kProfileSchemaCount> profiles_;
  std::vector<std::string> missing_;
  std::string folder_;
  Limits limits_;
};

}  // namespace gw::formats::xsd
