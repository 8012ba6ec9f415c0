// JsonWriter: builds compact JSON text (RFC 8259) into a std::string, for the TAXII 2.1
// resources, STIX 2.1 documents and the CLI's --json output. Reading JSON is simdjson's job
// (docs/design.md, "JSON"); writing needs no library: the documents are small, mostly built
// from a few fields, and stored STIX objects are spliced in as bytes with raw().
//
// The writer tracks where commas go; it does not check that calls nest correctly (a debug
// assert does). Strings must be UTF-8: bytes that are not valid UTF-8 are replaced by U+FFFD,
// so the output is always valid JSON (RFC 8259 §8.1). Not thread-safe; one writer per document.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace taxii {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { value_start(); out_ += '{'; open_.push_back(true); return *this; }
  JsonWriter& end_object() { assert(!open_.empty()); open_.pop_back(); out_ += '}'; return *this; }
  JsonWriter& begin_array() { value_start(); out_ += '['; open_.push_back(true); return *this; }
  JsonWriter& end_array() { assert(!open_.empty()); open_.pop_back(); out_ += ']'; return *this; }

  // A member name inside an object; the next call writes its value.
  JsonWriter& key(std::string_view k) {
    value_start();
    quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }

  JsonWriter& string(std::string_view s) { value_start(); quote(s); return *this; }
  JsonWriter& boolean(bool b) { value_start(); out_ += b ? "true" : "false"; return *this; }
  JsonWriter& null() { value_start(); out_ += "null"; return *this; }
  JsonWriter& number(int64_t n) { value_start(); out_ += std::to_string(n); return *this; }
  JsonWriter& number(uint64_t n) { value_start(); out_ += std::to_string(n); return *this; }
  JsonWriter& number(int n) { return number(static_cast<int64_t>(n)); }
  JsonWriter& number(unsigned n) { return number(static_cast<uint64_t>(n)); }
  // A value that is already JSON text (a stored STIX object), written byte for byte.
  // REQUIRES: `json` is one valid JSON value.
  JsonWriter& raw(std::string_view json) { value_start(); out_.append(json); return *this; }

  // Shorthands for one member.
  JsonWriter& member(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& member(std::string_view k, const char* v) { return key(k).string(v); }
  JsonWriter& member(std::string_view k, bool v) { return key(k).boolean(v); }
  JsonWriter& member(std::string_view k, int64_t v) { return key(k).number(v); }
  JsonWriter& member(std::string_view k, uint64_t v) { return key(k).number(v); }
  JsonWriter& member(std::string_view k, int v) { return key(k).number(v); }

  // Appends `s` to out as a JSON string literal (with quotes).
  static void quote_into(std::string& out, std::string_view s) {
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        std::size_t n = utf8_length(s, i);
        if (n == 0) {
          out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
          ++i;
        } else {
          out.append(s.substr(i, n));
          i += n;
        }
        continue;
      }
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
    }
    out += '"';
  }

 private:
  void value_start() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!open_.empty()) {
      if (!open_.back()) out_ += ',';
      open_.back() = false;
    }
  }
  void quote(std::string_view s) { quote_into(out_, s); }

  // Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 §4), 0 if none.
  static std::size_t utf8_length(std::string_view s, std::size_t i) {
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
      return k < s.size() && at(k) >= lo && at(k) <= hi;
    };
    unsigned char c = at(i);
    if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
    if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
    if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    return 0;
  }

  std::string& out_;
  std::vector<bool> open_;  // per open object/array: no member written yet
  bool after_key_ = false;
};

}  // namespace taxii
