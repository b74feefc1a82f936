#include "formats/core/type_codes.h"

namespace gw {

bool IsCreditNoteKindCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {"81", "83", "261", "262", "296", "308",
                                                "381", "396", "420", "458", "532"};
  for (std::string_view c : kCodes) {
    if (code == c) return true;
  }
  return false;
}

}  // namespace gw
