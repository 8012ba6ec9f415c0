#include "auth/password.hpp"

#include <array>
#include <charconv>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace taxii::auth {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool derive(std::string_view password, std::string_view salt, uint32_t iterations, std::size_t n, std::string& out) {
  out.assign(n, '\0');
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                           reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                           static_cast<int>(iterations), EVP_sha256(), static_cast<int>(n),
                           reinterpret_cast<unsigned char*>(out.data())) == 1;
}

int b64_value(char c) {
  const auto p = kAlphabet.find(c);
  return p == std::string_view::npos ? -1 : static_cast<int>(p);
}

}  // namespace

std::string base64_encode(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(raw[i])) << 16) | (uint32_t(uint8_t(raw[i + 1])) << 8) | uint8_t(raw[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < raw.size()) {
    uint32_t v = uint32_t(uint8_t(raw[i])) << 16;
    if (i + 1 < raw.size()) v |= uint32_t(uint8_t(raw[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < raw.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return Error::bad_message("base64: length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + static_cast<std::size_t>(j)];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        v[j] = 0;
        ++pad;
      } else if (pad > 0 || (v[j] = b64_value(c)) < 0) {
        return Error::bad_message("base64: invalid character");
      }
    }
    const uint32_t w = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out += static_cast<char>((w >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((w >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(w & 0xff);
  }
  return out;
}

Result<std::string> hash_password(std::string_view password, uint32_t iterations) {
  if (iterations < kMinIterations) return Error::failure("PBKDF2 iterations below " + std::to_string(kMinIterations));
  PasswordHash h;
  h.iterations = iterations;
  h.salt.assign(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(h.salt.data()), static_cast<int>(kSaltBytes)) != 1)
    return Error::failure("no random bytes for a salt");
  if (!derive(password, h.salt, iterations, kKeyBytes, h.key)) return Error::failure("PBKDF2 failed");
  return encode_hash(h);
}

std::string encode_hash(const PasswordHash& h) {
  return std::string(kScheme) + "$" + std::to_string(h.iterations) + "$" + base64_encode(h.salt) + "$" +
         base64_encode(h.key);
}

Result<PasswordHash> parse_hash(std::string_view encoded) {
  std::array<std::string_view, 4> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto end = i == 3 ? std::string_view::npos : encoded.find('$', start);
    if (i < 3 && end == std::string_view::npos)
      return Error::bad_message("expected pbkdf2-sha256$ITERATIONS$SALT$HASH");
    parts[i] = encoded.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end + 1;
  }
  if (parts[0] != kScheme) return Error::bad_message("unknown hash scheme (expected pbkdf2-sha256)");
  PasswordHash h;
  const auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), h.iterations);
  if (ec != std::errc() || p != parts[1].data() + parts[1].size() || h.iterations < kMinIterations)
    return Error::bad_message("iterations must be an integer >= " + std::to_string(kMinIterations));
  auto salt = base64_decode(parts[2]);
  auto key = base64_decode(parts[3]);
  if (!salt.ok() || salt->size() < 8) return Error::bad_message("the salt is not base64 of at least 8 bytes");
  if (!key.ok() || key->size() != kKeyBytes) return Error::bad_message("the hash is not base64 of 32 bytes");
  h.salt = std::move(salt).value();
  h.key = std::move(key).value();
  return h;
}

bool verify_password(std::string_view password, const PasswordHash& h) {
  std::string got;
  if (h.key.size() != kKeyBytes || !derive(password, h.salt, h.iterations, h.key.size(), got)) return false;
  return CRYPTO_memcmp(got.data(), h.key.data(), got.size()) == 0;
}

}  // namespace taxii::auth
