// libFuzzer target: XML text -> CII reader -> CII writer -> CII reader -> CII writer, and the model
// read -> UBL writer. Any input must either be rejected with findings or give a model that writes
// back; what the CII writer wrote must read back and write again to the same bytes (the reader is
// the writer's inverse), and the UBL writer must take every model the CII reader gives. Crashes,
// sanitizer reports, silent rejections and a changed second writing are bugs.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "formats/cii/cii_reader.h"
#include "formats/cii/cii_writer.h"
#include "formats/ubl/ubl_writer.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "cii_reader_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<gw::Finding> losses;
  auto invoice = gw::formats::cii::ReadInvoice(text, &losses);
  if (!invoice) {
    if (invoice.error().findings().empty()) Fail("rejected without a finding", invoice.error().ToString());
    return 0;
  }
  for (const gw::Finding& f : losses) {
    if (f.severity != gw::Finding::Severity::kWarning || f.rule != "cii.lost") Fail("a loss that is not a warning", f.rule);
  }
  if (auto ubl = gw::formats::ubl::WriteInvoice(*invoice); !ubl && ubl.error().findings().empty()) {
    Fail("the UBL writer refuses the model without a finding", ubl.error().ToString());
  }
  auto written = gw::formats::cii::WriteInvoice(*invoice);
  if (!written) {
    if (written.error().findings().empty()) Fail("the model read does not write", written.error().ToString());
    return 0;
  }
  // Known writer limitation (as in ubl_reader_fuzz): an amount beyond about 1.7e36 overflows
  // Decimal::WithScale(2) and is written as "overflow"; such a document cannot read back.
  if (written->find(">overflow<") != std::string::npos) return 0;
  auto again = gw::formats::cii::ReadInvoice(*written);
  if (!again) Fail("the writer's own document does not read back", again.error().ToString() + "\n" + *written);
  auto rewritten = gw::formats::cii::WriteInvoice(*again);
  if (!rewritten) Fail("the model read back does not write", rewritten.error().ToString());
  if (*rewritten != *written) Fail("writing what was read back changed the document", *written + "\n----\n" + *rewritten);
  return 0;
}
