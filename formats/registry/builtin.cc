#include "formats/registry/builtin.h"

#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"

namespace gw::formats {

Status RegisterBuiltinFormats(FormatRegistry& registry) {
  GW_RETURN_IF_ERROR(registry.Register({"json", "ERP JSON invoice (docs/formats/json.md)",
                                        "application/json", ".json", &json::ReadInvoice, {}}));
  GW_RETURN_IF_ERROR(registry.Register({"ubl", "UBL 2.1 Invoice/CreditNote, Peppol BIS Billing 3.0",
                                        "application/xml", ".xml", &ubl::ReadInvoice,
                                        &ubl::WriteInvoice}));
  return OkStatus();
}

Result<std::string> Convert(const FormatRegistry& registry, std::string_view from,
                            std::string_view to, std::string_view text) {
  auto reader = registry.Find(from);
  if (!reader) return reader.error();
  auto writer = registry.Find(to);
  if (!writer) return writer.error();
  if (!(*reader)->read) return Error::InvalidArgument("format '" + std::string(from) + "' cannot be read");
  if (!(*writer)->write) return Error::InvalidArgument("format '" + std::string(to) + "' cannot be written");
  auto invoice = (*reader)->read(text);
  if (!invoice) return invoice.error();
  GW_RETURN_IF_ERROR(calc::Complete(*invoice));
  return (*writer)->write(*invoice);
}

}  // namespace gw::formats
