// Result<T>: a value or an Error. Errors cross module boundaries as values, never as
// exceptions (docs/design.md). Error carries a TAXII status type, a human-readable message and
// the status details that the status type calls for (Services 1.1 §4.4.1, Table 3).
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.hpp"

namespace taxii {

// One machine-readable status detail: a name (a URI such as MAX_PART_NUMBER) and its value.
struct StatusDetail {
  std::string name;
  std::string value;  // plain text; serialized escaped
  friend bool operator==(const StatusDetail& a, const StatusDetail& b) {
    return a.name == b.name && a.value == b.value;
  }
};

class Error {
 public:
  Error(StatusType type, std::string message, std::vector<StatusDetail> details = {})
      : type_(type), message_(std::move(message)), details_(std::move(details)) {}

  StatusType type() const { return type_; }
  const std::string& message() const { return message_; }
  const std::vector<StatusDetail>& details() const { return details_; }
  Error& with_detail(std::string name, std::string value) {
    details_.push_back({std::move(name), std::move(value)});
    return *this;
  }

  static Error bad_message(std::string m) { return {StatusType::BadMessage, std::move(m)}; }
  static Error failure(std::string m) { return {StatusType::Failure, std::move(m)}; }
  static Error denied(std::string m) { return {StatusType::Denied, std::move(m)}; }
  static Error unauthorized(std::string m) { return {StatusType::Unauthorized, std::move(m)}; }
  static Error not_found(std::string m, const std::string& item) {
    Error e{StatusType::NotFound, std::move(m)};
    if (!item.empty()) e.with_detail("ITEM", item);
    return e;
  }

 private:
  StatusType type_;
  std::string message_;
  std::vector<StatusDetail> details_;
};

std::ostream& operator<<(std::ostream& os, const Error& e);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  // On a temporary the value is moved out, not referenced, so `for (x : *f())` is safe.
  T value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation with no value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace taxii
