#include "formats/core/result.h"

namespace gw {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kOutOfRange: return "out_of_range";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string out = ErrorCodeName(code_);
  out += ": ";
  out += message_;
  for (const Finding& f : findings_) {
    out += "\n  ";
    out += f.severity == Finding::Severity::kFatal     ? "error"
           : f.severity == Finding::Severity::kWarning ? "warning"
                                                        : "information";
    out += " [";
    out += f.rule;
    out += "] at ";
    out += f.location.empty() ? "/" : f.location;
    out += ": ";
    out += f.message;
  }
  return out;
}

}  // namespace gw
