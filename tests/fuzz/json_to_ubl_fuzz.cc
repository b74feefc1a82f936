// libFuzzer target: ERP JSON text -> reader -> calculator -> UBL writer. Any input must either be
// rejected with findings or produce well-formed XML; crashes, sanitizer reports and malformed
// output are bugs.
#include <libxml/parser.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "formats/ubl/ubl_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto invoice = gw::formats::json::ReadInvoice(text);
  if (!invoice) {
    if (invoice.error().findings().empty()) std::abort();  // every rejection says why
    return 0;
  }
  if (!gw::formats::calc::Complete(*invoice)) return 0;
  auto xml = gw::formats::ubl::WriteInvoice(*invoice);
  if (!xml) std::abort();
  xmlDocPtr doc = xmlReadMemory(xml->data(), static_cast<int>(xml->size()), "out.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) std::abort();  // the writer produced XML that does not parse
  xmlFreeDoc(doc);
  return 0;
}
