#include "convert/ids.hpp"

#include <openssl/evp.h>

#include <cctype>

namespace taxii::convert {

const Uuid kStixScoNamespace = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
// 6a1f0e52-3b7d-5c4e-8a21-5d940c3e712b, chosen once for this project (docs/bridge.md). Never
// change it: every converted id that is not taken from a 1.x UUID depends on it.
const Uuid kTaxiiNamespace = {0x6a, 0x1f, 0x0e, 0x52, 0x3b, 0x7d, 0x5c, 0x4e,
                              0x8a, 0x21, 0x5d, 0x94, 0x0c, 0x3e, 0x71, 0x2b};

Uuid uuid_v5(const Uuid& ns, std::string_view name) {
  std::string input(reinterpret_cast<const char*>(ns.data()), ns.size());
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha1(), nullptr);
  Uuid u;
  for (size_t i = 0; i < u.size(); ++i) u[i] = digest[i];
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x50);  // version 5 (RFC 9562 §5.5)
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);  // variant 10
  return u;
}

std::string uuid_text(const Uuid& u) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[u[i] >> 4];
    s += hex[u[i] & 0xf];
  }
  return s;
}

namespace {

bool is_uuid_at(std::string_view s, size_t at) {
  if (at + 36 > s.size()) return false;
  for (size_t i = 0; i < 36; ++i) {
    const char c = s[at + i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string uuid_in_1x_id(std::string_view id1x) {
  // Rightmost "-" that starts a UUID, with something before it (`prefix:Type-<uuid>`).
  for (size_t i = id1x.size(); i-- > 1;) {
    if (id1x[i] == '-' && is_uuid_at(id1x, i + 1)) {
      std::string u(id1x.substr(i + 1, 36));
      for (char& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return u;
    }
  }
  return {};
}

namespace {

// STIX 2.1 §2.9 identifiers are RFC 4122 UUIDs: a 1.x UUID of another variant (or of
// version 0) cannot be kept.
bool rfc4122(const std::string& u) {
  return !u.empty() && std::string_view("89ab").find(u[19]) != std::string_view::npos && u[14] >= '1' && u[14] <= '8';
}

}  // namespace

std::string stix_id_for(std::string_view type, std::string_view id1x, std::string_view salt) {
  std::string uuid = salt.empty() ? uuid_in_1x_id(id1x) : std::string();
  if (!rfc4122(uuid)) uuid.clear();
  if (uuid.empty()) {
    std::string name(id1x);
    if (!salt.empty()) name.append("#").append(salt);
    uuid = uuid_text(uuid_v5(kTaxiiNamespace, name));
  }
  return std::string(type) + "--" + uuid;
}

std::string stix_id_named(std::string_view type, std::string_view name) {
  return std::string(type) + "--" + uuid_text(uuid_v5(kTaxiiNamespace, name));
}

}  // namespace taxii::convert
