// Character classes of HTTP/1.1 (RFC 9110 §5.6.2 tchar, §5.5 field-vchar, §5.6.4 qdtext; RFC
// 3986 for targets and hosts), shared by the request-head and chunked-body scanners
// (request_head.hpp). A table of 256 entries built at compile time.
//
// Thread-safety: constants only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace taxii::http::chars {

enum : uint8_t {
  kTchar = 1,      // token characters
  kFieldChar = 2,  // field-vchar / SP / HTAB: VCHAR, obs-text (0x80-0xFF), SP, HTAB
  kTarget = 4,     // request-target bytes we accept: VCHAR (0x21-0x7E)
  kDigit = 8,
  kHex = 16,
  kHost = 32,      // uri-host [":" port]: unreserved, pct-encoded, sub-delims, ":", "[", "]"
  kQdtext = 64,    // quoted-string text (RFC 9110 §5.6.4): HTAB, SP, 0x21, 0x23-0x5B, 0x5D-0x7E, obs-text
};

constexpr bool in_set(char c, const char* set) {
  for (; *set != '\0'; ++set)
    if (*set == c) return true;
  return false;
}

constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t f = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    const bool vchar = c >= 0x21 && c <= 0x7E;
    if (alpha || digit || (c < 128 && in_set(static_cast<char>(c), "!#$%&'*+-.^_`|~"))) f |= kTchar;
    if (vchar || c >= 0x80 || c == ' ' || c == '\t') f |= kFieldChar;
    if (vchar) f |= kTarget;
    if (digit) f |= kDigit;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    if (alpha || digit || (c < 128 && in_set(static_cast<char>(c), "-._~!$&'()*+,;=:[]%"))) f |= kHost;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80)
      f |= kQdtext;
    t[static_cast<std::size_t>(c)] = f;
  }
  return t;
}

inline constexpr std::array<uint8_t, 256> kClass = make_classes();

inline bool is(unsigned char c, uint8_t cls) { return (kClass[c] & cls) != 0; }
inline bool ows(unsigned char c) { return c == ' ' || c == '\t'; }

inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

}  // namespace taxii::http::chars
