#include "formats/core/participant_id.h"

#include <cctype>

#include "formats/codelists/codelists.h"

namespace gw {

namespace {

Status CheckValue(std::string_view value) {
  if (value.empty() || value.size() > 256) {
    return Error::InvalidArgument("an electronic address needs 1 to 256 characters");
  }
  if (value.front() == ' ' || value.back() == ' ') {
    return Error::InvalidArgument("an electronic address must not start or end with a space");
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return Error::InvalidArgument("an electronic address must not contain control characters");
    }
  }
  return OkStatus();
}

}  // namespace

Result<ParticipantId> ParticipantId::Make(std::string_view scheme, std::string_view value) {
  if (!codelists::IsElectronicAddressScheme(scheme)) {
    return Error::InvalidArgument("'" + std::string(scheme.substr(0, 20)) +
                                  "' is not an electronic address scheme of the EAS code list");
  }
  GW_RETURN_IF_ERROR(CheckValue(value));
  return ParticipantId(std::string(scheme), std::string(value));
}

Result<ParticipantId> ParticipantId::FromDocument(std::string_view scheme, std::string_view value) {
  bool token = !scheme.empty() && scheme.size() <= 10;
  for (char c : scheme) token = token && std::isalnum(static_cast<unsigned char>(c)) != 0;
  if (!token) {
    return Error::InvalidArgument("'" + std::string(scheme.substr(0, 20)) +
                                  "' is not an electronic address scheme (1 to 10 letters or digits)");
  }
  GW_RETURN_IF_ERROR(CheckValue(value));
  return ParticipantId(std::string(scheme), std::string(value));
}

Result<ParticipantId> ParticipantId::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error::InvalidArgument("'" + std::string(text.substr(0, 60)) +
                                  "' is not of the form scheme:value (e.g. 0088:5790000435975)");
  }
  return Make(text.substr(0, colon), text.substr(colon + 1));
}

bool operator==(const ParticipantId& a, const ParticipantId& b) {
  if (a.scheme_ != b.scheme_ || a.value_.size() != b.value_.size()) return false;
  for (size_t i = 0; i < a.value_.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a.value_[i])) !=
        std::tolower(static_cast<unsigned char>(b.value_[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace gw
