// Result<T>, Status and Error: the one way errors travel through the gateway.
// Values of these types are not synchronized; share them between threads only by copying.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace gw {

// A closed set of error kinds. Exactly one table (gateway/api) maps them to HTTP.
enum class ErrorCode {
  kInvalidArgument,     // the input is wrong; the findings say where and how
  kNotFound,            // a named thing (file, format, tenant) does not exist
  kAlreadyExists,       // a unique name was registered twice
  kOutOfRange,          // a number does not fit (decimal overflow, too many lines)
  kFailedPrecondition,  // the system is not in a state to do this
  kUnavailable,         // a peer or resource is temporarily unreachable (retryable)
  kInternal,            // a bug or a failing library call
};

// The stable, lower-case name of an error code, used in problem+json `code` and logs.
const char* ErrorCodeName(ErrorCode code);

// One finding of a check: which rule, where (a JSON pointer or XPath), and what is wrong.
struct Finding {
  enum class Severity { kFatal, kWarning, kInformation };  // information: Schematron flag="information"
  std::string rule;      // e.g. "json.type", "BR-CO-10", "calc.mismatch"
  Severity severity = Severity::kFatal;
  std::string location;  // JSON pointer ("/lines/3/quantity") or XPath
  std::string message;   // what is wrong and how to fix it
};

class Error {
 public:
  Error(ErrorCode code, std::string message, bool retryable = false)
      : code_(code), message_(std::move(message)), retryable_(retryable) {}

  static Error InvalidArgument(std::string message) {
    return Error(ErrorCode::kInvalidArgument, std::move(message));
  }
  // An invalid-argument error that carries every finding of a check.
  static Error InvalidInput(std::string message, std::vector<Finding> findings) {
    Error e(ErrorCode::kInvalidArgument, std::move(message));
    e.findings_ = std::move(findings);
    return e;
  }
  static Error NotFound(std::string message) {
    return Error(ErrorCode::kNotFound, std::move(message));
  }
  static Error AlreadyExists(std::string message) {
    return Error(ErrorCode::kAlreadyExists, std::move(message));
  }
  static Error OutOfRange(std::string message) {
    return Error(ErrorCode::kOutOfRange, std::move(message));
  }
  static Error FailedPrecondition(std::string message) {
    return Error(ErrorCode::kFailedPrecondition, std::move(message));
  }
  static Error Unavailable(std::string message) {
    return Error(ErrorCode::kUnavailable, std::move(message), /*retryable=*/true);
  }
  static Error Internal(std::string message) {
    return Error(ErrorCode::kInternal, std::move(message));
  }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return retryable_; }
  const std::vector<Finding>& findings() const { return findings_; }

  // "invalid_argument: message" followed by one line per finding.
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
  bool retryable_;
  std::vector<Finding> findings_;
};

// Value or Error, with the std::expected subset the project uses.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit by design, like std::expected. Two overloads rather than one by value: a large
  // value (a whole invoice model) is then moved once, not twice.
  Result(const T& value) : v_(value) {}  // NOLINT
  Result(T&& value) : v_(std::move(value)) {}  // NOLINT
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(v_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& { assert(error_); return *error_; }
  Error&& error() && { assert(error_); return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace gw

// Returns the error of `expr` (a Result or Status) from the enclosing function.
#define GW_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    auto gw_status_ = (expr);                     \
    if (!gw_status_) return std::move(gw_status_).error(); \
  } while (0)
