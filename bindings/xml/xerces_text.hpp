// Text between Xerces (UTF-16 XMLCh strings) and the binding (UTF-8 std::string): the
// conversions the parser, its handlers and the grammar loader use. Internal to bindings/xml.
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <xercesc/util/XMLString.hpp>

#include "core/utf8.hpp"

namespace taxii::xml {

namespace xc = xercesc;

// Appends s[0, n) as UTF-8 (a surrogate pair as one 4-byte sequence).
inline void append_utf8(std::string& out, const XMLCh* s, size_t n) {
  // The leading ASCII run (usually all of it) in one resize, then character by character.
  size_t ascii = 0;
  while (ascii < n && s[ascii] < 0x80) ++ascii;
  const size_t at = out.size();
  out.resize(at + ascii);
  char* d = out.data() + at;
  for (size_t i = 0; i < ascii; ++i) d[i] = static_cast<char>(s[i]);
  if (ascii == n) return;
  out.reserve(out.size() + (n - ascii) * 2);
  for (size_t i = ascii; i < n; ++i) {
    uint32_t c = s[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    }
    taxii::append_utf8(out, c);
  }
}

// A NUL-terminated Xerces string as UTF-8 ("" for nullptr).
inline std::string utf8(const XMLCh* s) {
  std::string out;
  if (s != nullptr) append_utf8(out, s, xc::XMLString::stringLen(s));
  return out;
}

// An ASCII string as XMLCh (UTF-16) code units.
inline std::u16string to_xmlch(std::string_view ascii) { return std::u16string(ascii.begin(), ascii.end()); }

}  // namespace taxii::xml
