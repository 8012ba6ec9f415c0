// Percent-encoding (RFC 3986 §2.1): every byte `keep` does not accept becomes %XX (uppercase
// hex). Used for URL parts a client sends and for paths shown in logs and answers.
#pragma once

#include <string>
#include <string_view>

namespace taxii {

template <class Keep>
std::string percent_encode(std::string_view s, Keep keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      out += ch;
      continue;
    }
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace taxii
