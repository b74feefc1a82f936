#include "formats/registry/builtin.h"

#include "formats/calc/calculator.h"
#include "formats/cii/cii_reader.h"
#include "formats/cii/cii_writer.h"
#include "formats/json/json_reader.h"
#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"

namespace gw::formats {

Status RegisterBuiltinFormats(FormatRegistry& registry) {
  auto read_json = [](std::string_view text, std::vector<Finding>&) { return json::ReadInvoice(text); };
  auto read_ubl = [](std::string_view text, std::vector<Finding>&) { return ubl::ReadInvoice(text); };
  auto write_ubl = [](const model::Invoice& invoice, std::vector<Finding>&) { return ubl::WriteInvoice(invoice); };
  auto read_cii = [](std::string_view text, std::vector<Finding>& losses) { return cii::ReadInvoice(text, &losses); };
  auto write_cii = [](const model::Invoice& invoice, std::vector<Finding>& losses) {
    return cii::WriteInvoice(invoice, &losses);
  };
  GW_RETURN_IF_ERROR(registry.Register({"json", "ERP JSON invoice (docs/formats/json.md)",
                                        "application/json", ".json", read_json, {}}));
  GW_RETURN_IF_ERROR(registry.Register({"ubl", "UBL 2.1 Invoice/CreditNote, Peppol BIS Billing 3.0",
                                        "application/xml", ".xml", read_ubl, write_ubl}));
  GW_RETURN_IF_ERROR(registry.Register({"cii", "UN/CEFACT CII D16B CrossIndustryInvoice, EN16931",
                                        "application/xml", ".xml", read_cii, write_cii}));
  return OkStatus();
}

Result<std::string> Convert(const FormatRegistry& registry, std::string_view from,
                            std::string_view to, std::string_view text, std::vector<Finding>* losses,
                            bool recompute) {
  auto reader = registry.Find(from);
  if (!reader) return reader.error();
  auto writer = registry.Find(to);
  if (!writer) return writer.error();
  if (!(*reader)->read) return Error::InvalidArgument("format '" + std::string(from) + "' cannot be read");
  if (!(*writer)->write) return Error::InvalidArgument("format '" + std::string(to) + "' cannot be written");
  std::vector<Finding> lost;
  auto invoice = (*reader)->read(text, lost);
  if (!invoice) return invoice.error();
  if (recompute) GW_RETURN_IF_ERROR(calc::Complete(*invoice));
  auto written = (*writer)->write(*invoice, lost);
  if (losses != nullptr) losses->insert(losses->end(), lost.begin(), lost.end());
  return written;
}

}  // namespace gw::formats
