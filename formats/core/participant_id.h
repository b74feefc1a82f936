// ParticipantId: an electronic address (BT-34, BT-49) = EAS scheme + value, the identifier by
// which networks route documents. Built only by Parse/Make, which validate both parts.
// Values compare case-insensitively (as Peppol participant identifiers do); schemes exactly.
// Immutable value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw {

class ParticipantId {
 public:
  ParticipantId() = default;  // empty; `empty()` is true

  // `scheme` must be in the EAS code list (e.g. "0088", "9930"); `value` 1..256 characters,
  // no leading/trailing space, no control characters. kInvalidArgument otherwise.
  static Result<ParticipantId> Make(std::string_view scheme, std::string_view value);
  // An address as a received document states it, for the UBL and CII readers (which do not judge
  // what they read; the validator checks the scheme against the code lists): the scheme is any 1
  // to 10 letters or digits (EN16931 also lists EM, AN, AQ, AS, AU, which Peppol does not use);
  // the value as for Make.
  static Result<ParticipantId> FromDocument(std::string_view scheme, std::string_view value);
  // Parses "scheme:value" (e.g. "0191:12345678"); the value may itself contain ':'.
  static Result<ParticipantId> Parse(std::string_view text);

  bool empty() const { return value_.empty(); }
  const std::string& scheme() const { return scheme_; }
  const std::string& value() const { return value_; }
  std::string ToString() const { return scheme_ + ":" + value_; }

  friend bool operator==(const ParticipantId& a, const ParticipantId& b);
  friend bool operator!=(const ParticipantId& a, const ParticipantId& b) { return !(a == b); }

 private:
  ParticipantId(std::string scheme, std::string value)
      : scheme_(std::move(scheme)), value_(std::move(value)) {}
  std::string scheme_;
  std::string value_;
};

}  // namespace gw
