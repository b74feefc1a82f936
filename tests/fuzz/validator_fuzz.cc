// libFuzzer target: the native validator on arbitrary bytes. It must never crash, hang or leak;
// whatever the input, it returns a report (not well-formed or non-UBL input gives a fatal
// finding), and a report without a fatal finding must not have been produced for text that is
// not a UBL document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/validation/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto report = gw::formats::validation::Validate(text);
  if (!report) std::abort();  // only an internal error (rules that do not compile) gets here
  if (report->syntax.empty() && report->valid()) std::abort();  // non-UBL input passed
  return 0;
}
