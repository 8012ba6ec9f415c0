// API tokens (issue #22; docs/security.md): bearer tokens of an account, sent as
// `Authorization: Bearer <token>` (RFC 6750 §2.1). A token is 32 random bytes, written
// "taxii_" + 64 lowercase hex digits; the store keeps only its SHA-256 (hex), so a copy of the
// database does not log anyone in. 256 random bits need no slow hash: SHA-256 cannot be searched
// back. Each token has a public id (8 random bytes, hex) to list and revoke it by.
//
// Stateless free functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace taxii::auth {

// A new token, and a new token id. Fail (Failure) only if OpenSSL cannot give random bytes.
[[nodiscard]] Result<std::string> new_token();
[[nodiscard]] Result<std::string> new_token_id();
// The lowercase hex SHA-256 of a token: what the store keeps and looks tokens up by.
std::string token_hash(std::string_view token);
// Whether `s` has a token's form (so that anything else is refused before the store is asked).
bool looks_like_token(std::string_view s);

}  // namespace taxii::auth
