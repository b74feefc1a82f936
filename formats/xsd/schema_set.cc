#include "formats/xsd/schema_set.h"

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "formats/xml/xml_document.h"
#include "formats/xsd/confined_loader.h"
#include "formats/xsd/stream_validation.h"

// Thread safety of a shared compiled schema (libxml2 2.9.14, xmlschemas.c): everything a
// validation changes lives in its xmlSchemaValidCtxt (element and attribute state, IDC tables,
// its own dictionary, the regexp execution contexts created from the schema's compiled content
// models); the xmlSchema is only looked up (hash tables, types, facets). With a schema given,
// xmlSchemaPreRun sets xsiAssemble = 0, so an instance's xsi:schemaLocation never adds to it.
// libxml2's thread notes ask for xmlInitParser() before threads use it, and the type tables
// built by xmlSchemaInitTypes() on the first schema parse are not guarded (libxml2 issue 930);
// both happen here, inside Load, before any validation can run. So compiled schemas are shared
// read-only and every validation creates its own context (stream_validation.cc).

namespace gw::formats::xsd {

namespace fs = std::filesystem;

std::string_view DocumentSchemaName(DocumentSchema schema) {
  switch (schema) {
    case DocumentSchema::kUblInvoice:
      return "UBL 2.1 Invoice";
    case DocumentSchema::kUblCreditNote:
      return "UBL 2.1 CreditNote";
    case DocumentSchema::kCii:
      return "UN/CEFACT CII D16B CrossIndustryInvoice";
    case DocumentSchema::kEeInvoice:
      return "Estonian e-invoice 1.2.EN";
    case DocumentSchema::kFinvoice:
      return "Finvoice 3.0";
  }
  return "unknown schema";
}

std::string_view DocumentSchemaPath(DocumentSchema schema) {
  switch (schema) {
    case DocumentSchema::kUblInvoice:
      return "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd";
    case DocumentSchema::kUblCreditNote:
      return "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd";
    case DocumentSchema::kCii:
      return "cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd";
    case DocumentSchema::kEeInvoice:
      return "estonia-einvoice/xsd/e-invoice_ver1.2.EN.xsd";
    case DocumentSchema::kFinvoice:
      return "finvoice/xsd/Finvoice3.0.xsd";
  }
  return "";
}

std::string_view ProfileSchemaName(ProfileSchema schema) {
  return schema == ProfileSchema::kFacturXBasic ? "Factur-X 1.0 BASIC profile" : "Factur-X 1.0 EN16931 profile";
}

std::string_view ProfileSchemaPath(ProfileSchema schema) {
  return schema == ProfileSchema::kFacturXBasic ? "facturx/basic/FACTUR-X_BASIC.xsd"
                                                : "facturx/en16931/FACTUR-X_EN16931.xsd";
}

void SchemaSet::SchemaFree::operator()(_xmlSchema* schema) const { xmlSchemaFree(schema); }

SchemaSet::~SchemaSet() = default;

namespace {

constexpr DocumentSchema kAllSchemas[] = {DocumentSchema::kUblInvoice, DocumentSchema::kUblCreditNote,
                                          DocumentSchema::kCii, DocumentSchema::kEeInvoice,
                                          DocumentSchema::kFinvoice};

// Collects the messages of a schema compilation: the schema parser's own errors and, through
// the thread's structured handler, those of the XML parsers it creates for included documents
// (which would otherwise go to stderr).
class CompileErrors {
 public:
  CompileErrors() : saved_handler_(xmlStructuredError), saved_context_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(this, &Collect);
  }
  ~CompileErrors() { xmlSetStructuredErrorFunc(saved_context_, saved_handler_); }
  CompileErrors(const CompileErrors&) = delete;
  CompileErrors& operator=(const CompileErrors&) = delete;

  static void Collect(void* user, xmlErrorPtr error) {
    auto* self = static_cast<CompileErrors*>(user);
    if (error == nullptr || error->level < XML_ERR_ERROR || self->messages_.size() >= 10) return;
    std::string message = error->message != nullptr ? error->message : "error";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    if (error->file != nullptr) {
      message = std::string(error->file) + ":" + std::to_string(error->line) + ": " + message;
    }
    self->messages_.push_back(std::move(message));
  }

  std::string Summary() const {
    std::string out;
    for (const std::string& m : messages_) out += "\n  " + m;
    return out;
  }

 private:
  xmlStructuredErrorFunc saved_handler_;
  void* saved_context_;
  std::vector<std::string> messages_;
};

struct SchemaParserFree {
  void operator()(xmlSchemaParserCtxt* ctxt) const { xmlSchemaFreeParserCtxt(ctxt); }
};
struct SchemaFree {
  void operator()(xmlSchema* schema) const { xmlSchemaFree(schema); }
};
using CompiledSchema = std::unique_ptr<xmlSchema, SchemaFree>;

// Compiles one main schema file, reading only files under `folder`.
Result<CompiledSchema> Compile(std::string_view name, const fs::path& file, const fs::path& folder) {
  ConfinedLoadScope scope(folder);  // serialized with every other schema load in the process
  CompileErrors errors;
  std::unique_ptr<xmlSchemaParserCtxt, SchemaParserFree> parser(
      xmlSchemaNewParserCtxt(file.c_str()));
  if (parser == nullptr) return Error::Internal("libxml2 could not create a schema parser");
  xmlSchemaSetParserStructuredErrors(parser.get(), &CompileErrors::Collect, &errors);
  CompiledSchema schema(xmlSchemaParse(parser.get()));
  const std::string what = std::string(name) + " schema " + file.string();
  if (!scope.refused().empty()) {
    // Refusing an xs:import only makes libxml2 warn and skip it; a schema that needs anything
    // outside the folder is not the official set, so it is an error whatever libxml2 says.
    std::string refused;
    for (const std::string& r : scope.refused()) refused += "\n  refused " + r;
    return Error::FailedPrecondition(what + " refers to files the gateway does not read (only " +
                                     folder.string() +
                                     " is read, and never the network):" + refused);
  }
  if (schema == nullptr) {
    return Error::FailedPrecondition(what + " does not compile:" + errors.Summary());
  }
  return schema;
}

// The Estonian 1.2.EN schema with its CustomContent wildcards lax instead of skip, so that the EN
// blocks inside are checked against their global definitions. The schema is one self-contained
// file (no include or import), compiled from memory.
Result<CompiledSchema> CompileWithLaxExtensions(std::string_view name, const fs::path& file) {
  std::string text;
  {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr) return Error::FailedPrecondition(std::string(name) + " schema " + file.string() + " cannot be read");
    char buf[64 * 1024];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  const std::string_view skip = "processContents=\"skip\"";
  size_t replaced = 0;
  for (size_t at = text.find(skip); at != std::string::npos; at = text.find(skip, at)) {
    text.replace(at, skip.size(), "processContents=\"lax\"");
    ++replaced;
  }
  if (replaced == 0 || text.find("<xs:include") != std::string::npos || text.find("<xs:import") != std::string::npos) {
    return Error::FailedPrecondition(std::string(name) + " schema " + file.string() +
                                     " is not the published 1.2.EN schema (one file with skip wildcards)");
  }
  ConfinedLoadScope scope(file.parent_path());
  CompileErrors errors;
  std::unique_ptr<xmlSchemaParserCtxt, SchemaParserFree> parser(
      xmlSchemaNewMemParserCtxt(text.data(), static_cast<int>(text.size())));
  if (parser == nullptr) return Error::Internal("libxml2 could not create a schema parser");
  xmlSchemaSetParserStructuredErrors(parser.get(), &CompileErrors::Collect, &errors);
  CompiledSchema schema(xmlSchemaParse(parser.get()));
  if (schema == nullptr || !scope.refused().empty()) {
    return Error::FailedPrecondition(std::string(name) + " schema " + file.string() + " does not compile:" +
                                     errors.Summary());
  }
  return schema;
}

}  // namespace

Result<std::shared_ptr<const SchemaSet>> SchemaSet::Load(const std::string& folder,
                                                         const Limits& limits) {
  const std::string hint =
      " (the folder must hold a copy of the official OASIS UBL 2.1 schemas under ubl-2.1/ and "
      "the UN/CEFACT CII D16B schemas under cii-d16b/, or of the national formats' schemas under "
      "estonia-einvoice/xsd/ and finvoice/xsd/)";
  std::error_code ec;
  const fs::path canonical = fs::canonical(fs::path(folder), ec);
  if (ec || !fs::is_directory(canonical, ec)) {
    return Error::NotFound("the XSD folder '" + folder + "' does not exist or is not a folder" +
                           hint);
  }
  std::shared_ptr<SchemaSet> set(new SchemaSet());
  set->folder_ = canonical.string();
  set->limits_ = limits;
  for (DocumentSchema kind : kAllSchemas) {
    const fs::path file = canonical / fs::path(DocumentSchemaPath(kind));
    if (!fs::is_regular_file(file, ec)) {
      set->missing_.push_back(std::string(DocumentSchemaName(kind)) + ": " + file.string() +
                              " not found");
      continue;
    }
    Result<CompiledSchema> schema = kind == DocumentSchema::kEeInvoice
                                        ? CompileWithLaxExtensions(DocumentSchemaName(kind), file)
                                        : Compile(DocumentSchemaName(kind), file, canonical);
    if (!schema.has_value()) return std::move(schema).error();
    set->schemas_[Index(kind)].reset(schema->release());
  }
  for (ProfileSchema kind : {ProfileSchema::kFacturXEn16931, ProfileSchema::kFacturXBasic}) {
    const fs::path file = canonical / fs::path(ProfileSchemaPath(kind));
    if (!fs::is_regular_file(file, ec)) continue;  // optional
    Result<CompiledSchema> schema = Compile(ProfileSchemaName(kind), file, canonical);
    if (!schema.has_value()) return std::move(schema).error();
    set->profiles_[static_cast<size_t>(kind)].reset(schema->release());
  }
  if (set->missing_.size() == kDocumentSchemaCount) {
    std::string expected;
    for (DocumentSchema kind : kAllSchemas) expected += (expected.empty() ? "" : ", ") + std::string(DocumentSchemaPath(kind));
    return Error::NotFound("no schema found in the XSD folder '" + set->folder_ + "': expected one of " + expected +
                           hint);
  }
  return std::shared_ptr<const SchemaSet>(std::move(set));
}

namespace {

// The Factur-X profile a CII document names in BT-24, if any.
std::optional<ProfileSchema> ProfileOf(std::string_view xml) {
  auto doc = xml::Document::Parse(xml);
  if (!doc) return std::nullopt;
  const std::string value = xml::SpecificationIdentifier(*doc);
  constexpr std::string_view kBasic = "urn:factur-x.eu:1p0:basic";
  if (value == "urn:cen.eu:en16931:2017") return ProfileSchema::kFacturXEn16931;
  if (value.size() >= kBasic.size() && value.compare(value.size() - kBasic.size(), kBasic.size(), kBasic) == 0) {
    return ProfileSchema::kFacturXBasic;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<Finding>> SchemaSet::Validate(std::string_view xml) const {
  std::array<_xmlSchema*, kDocumentSchemaCount> schemas{};
  for (size_t i = 0; i < kDocumentSchemaCount; ++i) schemas[i] = schemas_[i].get();
  auto findings = ValidateStream(xml, schemas, folder_, limits_);
  if (!findings || !findings->empty()) return findings;
  if (profiles_[0] == nullptr && profiles_[1] == nullptr) return findings;
  // Valid CII: the profile it names, whose schema is a subset of D16B's.
  std::optional<ProfileSchema> profile = ProfileOf(xml);
  if (!profile || profiles_[static_cast<size_t>(*profile)] == nullptr) return findings;
  std::array<_xmlSchema*, kDocumentSchemaCount> only{};
  only[Index(DocumentSchema::kCii)] = profiles_[static_cast<size_t>(*profile)].get();
  auto profile_findings = ValidateStream(xml, only, folder_, limits_);
  if (!profile_findings) return profile_findings;
  for (Finding& f : *profile_findings) f.message = std::string(ProfileSchemaName(*profile)) + " schema: " + f.message;
  return profile_findings;
}

}  // namespace gw::formats::xsd
