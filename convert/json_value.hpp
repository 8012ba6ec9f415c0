// Json: a small ordered JSON value the converter builds STIX 2.1 objects in before writing
// them with taxii::JsonWriter (core/json_writer.hpp). Objects keep insertion order; set()
// replaces a member of the same name. write_canonical() sorts member names and writes no
// whitespace, the JSON Canonicalization Scheme (RFC 8785) for the strings, integers and
// booleans the converter produces, which STIX 2.1 §2.9 hashes into deterministic SCO ids.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_writer.hpp"

namespace taxii::convert {

class Json {
 public:
  enum class Kind : uint8_t { Null, Bool, Int, Str, Arr, Obj };

  Json() = default;
  static Json str(std::string v) { Json j(Kind::Str); j.s_ = std::move(v); return j; }
  static Json integer(int64_t v) { Json j(Kind::Int); j.i_ = v; return j; }
  static Json boolean(bool v) { Json j(Kind::Bool); j.i_ = v ? 1 : 0; return j; }
  static Json array() { return Json(Kind::Arr); }
  static Json object() { return Json(Kind::Obj); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  const std::string& as_str() const { return s_; }
  int64_t as_int() const { return i_; }

  // Object members.
  Json& set(std::string_view key, Json v);
  const Json* get(std::string_view key) const;
  Json* get(std::string_view key);
  bool has(std::string_view key) const { return get(key) != nullptr; }
  void erase(std::string_view key);
  const std::vector<std::pair<std::string, Json>>& members() const { return obj_; }
  // Array items.
  Json& push(Json v) { arr_.push_back(std::move(v)); return arr_.back(); }
  const std::vector<Json>& items() const { return arr_; }
  std::vector<Json>& items() { return arr_; }
  bool empty() const { return kind_ == Kind::Arr ? arr_.empty() : kind_ == Kind::Obj ? obj_.empty() : false; }

  void write(JsonWriter& w) const;
  std::string canonical() const;

 private:
  explicit Json(Kind k) : kind_(k) {}
  void write_canonical(std::string& out) const;
  Kind kind_ = Kind::Null;
  int64_t i_ = 0;
  std::string s_;
  std::vector<Json> arr_;
  std::vector<std::pair<std::string, Json>> obj_;
};

}  // namespace taxii::convert
