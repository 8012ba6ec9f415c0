// Password hashing: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) through OpenSSL, a random 16-byte salt
// per password, and a constant-time comparison (CRYPTO_memcmp) on verification.
//
// A stored hash is one self-describing string, so the iteration count can grow without
// invalidating existing accounts:
//   pbkdf2-sha256$<iterations>$<salt, base64>$<derived key, base64>
// This string is what `taxiid user hash` prints and what configuration files carry; never
// a password.
//
// Stateless free functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace taxii::auth {

constexpr uint32_t kDefaultIterations = 210000;  // OWASP 2023 guidance for PBKDF2-HMAC-SHA256
constexpr uint32_t kMinIterations = 1000;         // accepted when parsing (tests use few)

struct PasswordHash {
  uint32_t iterations = 0;
  std::string salt;  // raw bytes
  std::string key;   // raw bytes (32)
};

// A new hash with a fresh random salt. Fails (Failure) only if OpenSSL cannot produce
// random bytes or derive the key.
[[nodiscard]] Result<std::string> hash_password(std::string_view password,
                                                uint32_t iterations = kDefaultIterations);

// Parses the encoded form; fails with BadMessage naming what is wrong.
[[nodiscard]] Result<PasswordHash> parse_hash(std::string_view encoded);
std::string encode_hash(const PasswordHash& h);

// True iff password derives to h.key. Runs PBKDF2 (expensive by design) and compares in
// constant time.
bool verify_password(std::string_view password, const PasswordHash& h);

// Base64 (RFC 4648 §4, with padding). decode fails on anything else.
std::string base64_encode(std::string_view raw);
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

}  // namespace taxii::auth
