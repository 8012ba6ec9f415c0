// A streaming JSON writer for `--json` output: documents are written as they are produced
// (a poll's blocks are not collected first). Invalid UTF-8 in strings becomes U+FFFD, so the
// output always parses. Not thread-safe; one writer per output stream.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace taxii::cli {

std::string json_quote(std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& os) : os_(os) {}
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k) {
    comma();
    os_ << json_quote(k) << ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view s) { return raw(json_quote(s)); }
  JsonWriter& value(const char* s) { return raw(json_quote(s)); }
  JsonWriter& value(const std::string& s) { return raw(json_quote(s)); }
  JsonWriter& value(bool b) { return raw(b ? "true" : "false"); }
  JsonWriter& value(uint64_t n) { return raw(std::to_string(n)); }
  JsonWriter& value(int64_t n) { return raw(std::to_string(n)); }
  JsonWriter& value(int n) { return raw(std::to_string(n)); }
  JsonWriter& null() { return raw("null"); }
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& string_array(std::string_view k, const std::vector<std::string>& v) {
    key(k).begin_array();
    for (const auto& s : v) value(s);
    return end_array();
  }
  // Splices a JSON value that is already serialized (e.g. a STIX object as received).
  JsonWriter& json_value(std::string_view json) { return raw(json); }
  // Ends the document with a newline.
  void finish() { os_ << '\n' << std::flush; }

 private:
  void comma() {
    if (!after_key_ && !first_.empty() && !first_.back()) os_ << ',';
    if (!after_key_ && !first_.empty()) first_.back() = false;
    after_key_ = false;
  }
  JsonWriter& raw(std::string_view text) {
    comma();
    os_ << text;
    return *this;
  }
  JsonWriter& open(char c) {
    comma();
    os_ << c;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close(char c) {
    os_ << c;
    first_.pop_back();
    after_key_ = false;
    return *this;
  }
  std::ostream& os_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace taxii::cli
