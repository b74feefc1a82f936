// libFuzzer target: text -> Estonian e-invoice reader -> writer -> reader -> writer, and the
// format's rules on the text. Any input must either be rejected with findings or give a batch;
// a batch the writer accepts must read back and write again to the same bytes (the reader is the
// writer's inverse); a refusal must carry findings. CheckRules must take any text. Crashes,
// sanitizer reports, silent rejections and a changed second writing are bugs.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "formats/eeinvoice/ee_invoice.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ee_reader_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)gw::formats::ee::CheckRules(text);
  std::vector<gw::Finding> losses;
  auto batch = gw::formats::ee::ReadBatch(text, &losses);
  if (!batch) {
    if (batch.error().findings().empty()) Fail("rejected without a finding", batch.error().ToString());
    return 0;
  }
  for (const gw::Finding& f : losses) {
    if (f.severity != gw::Finding::Severity::kWarning || f.rule != "ee.lost") Fail("a loss that is not a warning", f.rule);
  }
  auto written = gw::formats::ee::WriteBatch(*batch);
  if (!written) {
    if (written.error().findings().empty()) Fail("the writer refuses without a finding", written.error().ToString());
    return 0;
  }
  auto again = gw::formats::ee::ReadBatch(*written);
  if (!again) Fail("what the writer wrote does not read", again.error().ToString() + "\n" + *written);
  auto rewritten = gw::formats::ee::WriteBatch(*again);
  if (!rewritten) Fail("what the reader read back does not write", rewritten.error().ToString() + "\n" + *written);
  if (*rewritten != *written) Fail("the second writing differs", *written + "\n----\n" + *rewritten);
  return 0;
}
