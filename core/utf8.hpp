// UTF-8 encoding of one Unicode code point (RFC 3629 §3), for the places that decode character
// references or convert Xerces' UTF-16 text. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace taxii {

// Writes `cp` as UTF-8 into buf and returns how many bytes it took (1 to 4).
// REQUIRES: cp <= 0x10FFFF.
inline std::size_t encode_utf8(uint32_t cp, char buf[4]) {
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = static_cast<char>(0xF0 | (cp >> 18));
  buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// Appends `cp` as UTF-8. REQUIRES: cp <= 0x10FFFF.
inline void append_utf8(std::string& out, uint32_t cp) {
  char buf[4];
  out.append(buf, encode_utf8(cp, buf));
}

}  // namespace taxii
