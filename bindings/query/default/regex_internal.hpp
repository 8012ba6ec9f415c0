// Internal to the regex engine (regex.cpp, regex_compile.cpp): UTF-8 decoding.
#pragma once

#include <cstddef>
#include <string_view>

namespace taxii::query::tdq::regex_internal {

// Decodes one UTF-8 sequence at s[i]; invalid bytes decode as themselves (length 1).
inline char32_t decode(std::string_view s, size_t i, size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  auto bits = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  if (b0 < 0x80) { len = 1; return b0; }
  if ((b0 & 0xE0) == 0xC0 && cont(1)) { len = 2; return (static_cast<char32_t>(b0 & 0x1F) << 6) | bits(1); }
  if ((b0 & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    len = 3;
    return (static_cast<char32_t>(b0 & 0x0F) << 12) | (bits(1) << 6) | bits(2);
  }
  if ((b0 & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    len = 4;
    return (static_cast<char32_t>(b0 & 0x07) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
  }
  len = 1;
  return b0;
}

}  // namespace taxii::query::tdq::regex_internal
