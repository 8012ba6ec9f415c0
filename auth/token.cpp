#include "auth/token.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

namespace taxii::auth {
namespace {

constexpr std::string_view kPrefix = "taxii_";
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kIdBytes = 8;

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 0x0f];
  }
  return out;
}

Result<std::string> random_hex(std::size_t bytes) {
  unsigned char buf[kTokenBytes];
  if (bytes > sizeof buf || RAND_bytes(buf, static_cast<int>(bytes)) != 1)
    return Error::failure("could not make random bytes");
  return hex(buf, bytes);
}

}  // namespace

Result<std::string> new_token() {
  auto r = random_hex(kTokenBytes);
  if (!r.ok()) return r.error();
  return std::string(kPrefix) + *r;
}

Result<std::string> new_token_id() { return random_hex(kIdBytes); }

std::string token_hash(std::string_view token) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d);
  return hex(d, sizeof d);
}

bool looks_like_token(std::string_view s) {
  if (s.size() != kPrefix.size() + 2 * kTokenBytes || s.substr(0, kPrefix.size()) != kPrefix) return false;
  for (const char c : s.substr(kPrefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace taxii::auth
