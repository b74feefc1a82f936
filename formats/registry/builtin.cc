#include "formats/registry/builtin.h"

#include "formats/calc/calculator.h"
#include "formats/cii/cii_reader.h"
#include "formats/cii/cii_writer.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/finvoice/finvoice_reader.h"
#include "formats/finvoice/finvoice_transmission.h"
#include "formats/finvoice/finvoice_writer.h"
#include "formats/json/json_reader.h"
#include "formats/json/json_writer.h"
#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"

namespace gw::formats {

namespace {

// BT-24 of the profiles.
constexpr std::string_view kXRechnungSpecificationId = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
constexpr std::string_view kFacturXEn16931SpecificationId = "urn:cen.eu:en16931:2017";

}  // namespace

Status RegisterBuiltinFormats(FormatRegistry& registry) {
  auto read_json = [](std::string_view text, std::vector<Finding>&) { return json::ReadInvoice(text); };
  auto write_json = [](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>& losses) {
    return json::WriteInvoice(invoice, &losses);
  };
  auto read_ubl = [](std::string_view text, std::vector<Finding>&) { return ubl::ReadInvoice(text); };
  auto write_ubl = [](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>&) {
    return ubl::WriteInvoice(invoice);
  };
  auto read_cii = [](std::string_view text, std::vector<Finding>& losses) { return cii::ReadInvoice(text, &losses); };
  auto write_cii = [](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>& losses) {
    return cii::WriteInvoice(invoice, &losses);
  };
  GW_RETURN_IF_ERROR(registry.Register({"json", "ERP JSON invoice (docs/formats/json.md)",
                                        "application/json", ".json", read_json, write_json}));
  GW_RETURN_IF_ERROR(registry.Register({"ubl", "UBL 2.1 Invoice/CreditNote, Peppol BIS Billing 3.0",
                                        "application/xml", ".xml", read_ubl, write_ubl}));
  GW_RETURN_IF_ERROR(registry.Register({"cii", "UN/CEFACT CII D16B CrossIndustryInvoice, EN16931",
                                        "application/xml", ".xml", read_cii, write_cii}));
  // Profiles: a syntax with the profile's specification identifier (BT-24). The validator chooses
  // the profile's rules from it.
  auto profile = [](std::string_view id, bool keep_if_contains_base) {
    return [id = std::string(id), keep_if_contains_base](const model::Invoice& invoice) {
      model::Invoice out = invoice;
      // An XRechnung extension or CVD identifier already names XRechnung: kept.
      if (!keep_if_contains_base || out.specification_id.find(id) == std::string::npos) out.specification_id = id;
      return out;
    };
  };
  auto xrechnung = profile(kXRechnungSpecificationId, true);
  auto facturx = profile(kFacturXEn16931SpecificationId, false);
  GW_RETURN_IF_ERROR(registry.Register(
      {"xrechnung-ubl", "XRechnung 3.0 in UBL 2.1 (German CIUS; BR-DE rules)", "application/xml", ".xml", read_ubl,
       [xrechnung](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>&) {
         return ubl::WriteInvoice(xrechnung(invoice));
       }}));
  GW_RETURN_IF_ERROR(registry.Register(
      {"xrechnung-cii", "XRechnung 3.0 in CII D16B (German CIUS; BR-DE rules)", "application/xml", ".xml", read_cii,
       [xrechnung](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>& losses) {
         return cii::WriteInvoice(xrechnung(invoice), &losses);
       }}));
  GW_RETURN_IF_ERROR(registry.Register(
      {"facturx-basic", "Factur-X 1.0 / ZUGFeRD 2.x XML, BASIC profile (CII D16B)", "application/xml", ".xml",
       read_cii, [](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>& losses) {
         return cii::WriteFacturXBasic(invoice, &losses);
       }}));
  GW_RETURN_IF_ERROR(registry.Register(
      {"facturx", "Factur-X 1.0 / ZUGFeRD 2.x XML, EN16931 profile (CII D16B)", "application/xml", ".xml", read_cii,
       [facturx](const model::Invoice& invoice, const WriteOptions&, std::vector<Finding>& losses) {
         return cii::WriteInvoice(facturx(invoice), &losses);
       }}));
  // Estonian e-invoice 1.2 (1.2.EN): one invoice per file here; the header and the invoice's
  // routing attributes from the routing data (ee::BatchFromRouting).
  auto read_ee = [](std::string_view text, std::vector<Finding>& losses) -> Result<model::Invoice> {
    auto batch = ee::ReadBatch(text, &losses);
    if (!batch) return batch.error();
    if (batch->invoices.size() != 1) {
      return Error::InvalidArgument("the Estonian e-invoice file holds " + std::to_string(batch->invoices.size()) +
                                    " invoices; a conversion takes a file with one (the gateway's inbound path "
                                    "reads whole batches)");
    }
    return std::move(batch->invoices[0].invoice);
  };
  auto write_ee = [](const model::Invoice& invoice, const WriteOptions& options,
                     std::vector<Finding>& losses) -> Result<std::string> {
    auto batch = ee::BatchFromRouting(options.routing, invoice);
    if (!batch) return batch.error();
    return ee::WriteBatch(*batch, &losses);
  };
  FormatInfo ee_info{"ee-einvoice", "Estonian e-invoice 1.2 with the EN16931 extension 1.2.EN (E_Invoice file)",
                     "application/xml", ".xml", read_ee, write_ee};
  ee_info.takes_routing = true;
  GW_RETURN_IF_ERROR(registry.Register(std::move(ee_info)));
  // Finvoice 3.0: the transmission details (and the SOAP/ebXML frame) from the routing data.
  auto read_finvoice = [](std::string_view text, std::vector<Finding>& losses) -> Result<model::Invoice> {
    auto read = finvoice::ReadInvoice(text, &losses);
    if (!read) return read.error();
    return std::move(read->invoice);
  };
  auto write_finvoice = [](const model::Invoice& invoice, const WriteOptions& options,
                           std::vector<Finding>& losses) -> Result<std::string> {
    auto transmission = finvoice::TransmissionFromRouting(options.routing, invoice);
    if (!transmission) return transmission.error();
    finvoice::WriteOptions finvoice_options;
    if (!options.encoding.empty()) finvoice_options.encoding = options.encoding;
    finvoice_options.soap_envelope = options.envelope;
    return finvoice::WriteInvoice(invoice, *transmission, finvoice_options, &losses);
  };
  FormatInfo finvoice_info{"finvoice", "Finvoice 3.0 (Finland), optionally with its SOAP/ebXML transmission frame",
                           "application/xml", ".xml", read_finvoice, write_finvoice};
  finvoice_info.takes_routing = true;
  finvoice_info.encodings = {"ISO-8859-15"};
  finvoice_info.has_envelope = true;
  GW_RETURN_IF_ERROR(registry.Register(std::move(finvoice_info)));
  return OkStatus();
}

Result<std::string> Convert(const FormatRegistry& registry, std::string_view from,
                            std::string_view to, std::string_view text, std::vector<Finding>* losses,
                            bool recompute, const WriteOptions& options) {
  auto reader = registry.Find(from);
  if (!reader) return reader.error();
  auto writer = registry.Find(to);
  if (!writer) return writer.error();
  if (!(*reader)->read) return Error::InvalidArgument("format '" + std::string(from) + "' cannot be read");
  if (!(*writer)->write) return Error::InvalidArgument("format '" + std::string(to) + "' cannot be written");
  const FormatInfo& target = **writer;
  if (!options.routing.empty() && !target.takes_routing) {
    return Error::InvalidArgument("format '" + target.name + "' takes no routing data (only the formats with file "
                                  "headers or transmission details do: ee-einvoice, finvoice)");
  }
  if (!options.encoding.empty() && options.encoding != "UTF-8") {
    bool known = false;
    for (const std::string& e : target.encodings) known = known || e == options.encoding;
    if (!known) {
      std::string list = "UTF-8";
      for (const std::string& e : target.encodings) list += ", " + e;
      return Error::InvalidArgument("format '" + target.name + "' is written in " + list + ", not " + options.encoding);
    }
  }
  if (options.envelope && !target.has_envelope) {
    return Error::InvalidArgument("format '" + target.name + "' has no transport envelope");
  }
  std::vector<Finding> lost;
  auto invoice = (*reader)->read(text, lost);
  if (!invoice) return invoice.error();
  if (recompute) GW_RETURN_IF_ERROR(calc::Complete(*invoice));
  auto written = target.write(*invoice, options, lost);
  if (losses != nullptr) losses->insert(losses->end(), lost.begin(), lost.end());
  return written;
}

}  // namespace gw::formats
