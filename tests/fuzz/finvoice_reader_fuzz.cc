// libFuzzer target: text -> Finvoice reader -> writer (with the transmission read, in UTF-8 and
// ISO-8859-15, with and without the SOAP frame) -> reader -> writer, and the format's rules on the
// text. Any input must either be rejected with findings or give an invoice; what the writer
// accepts must read back, and from then on writing and reading must be a fixed point. (One step
// may add terms: the reader gives a party without an electronic address the message's sender or
// receiver address, docs/formats/finvoice.md, which the next writing then states.) A refusal must
// carry findings.
// Crashes, sanitizer reports, silent rejections and a changed second writing are bugs.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "formats/finvoice/finvoice_reader.h"
#include "formats/finvoice/finvoice_rules.h"
#include "formats/finvoice/finvoice_writer.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "finvoice_reader_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fv = gw::formats::finvoice;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)fv::CheckRules(text);
  (void)fv::LooksLikeFinvoice(text);
  std::vector<gw::Finding> losses;
  auto read = fv::ReadInvoice(text, &losses);
  if (!read) {
    if (read.error().findings().empty()) Fail("rejected without a finding", read.error().ToString());
    return 0;
  }
  for (const gw::Finding& f : losses) {
    if (f.severity != gw::Finding::Severity::kWarning) Fail("a loss that is not a warning", f.rule);
  }
  fv::WriteOptions options;
  options.encoding = size % 2 == 0 ? "UTF-8" : "ISO-8859-15";
  options.soap_envelope = size % 3 == 0;
  auto written = fv::WriteInvoice(read->invoice, read->transmission, options);
  if (!written) {
    if (written.error().findings().empty()) Fail("the writer refuses without a finding", written.error().ToString());
    return 0;
  }
  std::string previous = *written;
  for (int step = 0; step < 2; ++step) {
    auto again = fv::ReadInvoice(previous);
    if (!again) Fail("what the writer wrote does not read", again.error().ToString() + "\n" + previous);
    auto rewritten = fv::WriteInvoice(again->invoice, again->transmission, options);
    if (!rewritten) Fail("what the reader read back does not write", rewritten.error().ToString() + "\n" + previous);
    if (step == 1 && *rewritten != previous) Fail("writing and reading do not settle", previous + "\n----\n" + *rewritten);
    previous = std::move(*rewritten);
  }
  return 0;
}
