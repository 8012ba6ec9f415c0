// The `next` value of the paginated TAXII 2.1 endpoints (TAXII 2.1 §3.4, §3.5): a stateless,
// signed keyset cursor. It holds the last row served, (date_added, id, version_key) (the order
// of storage/objects.hpp), bound to the query's filters (without limit and next), to the
// principal and to an expiry; an HMAC-SHA256 under a server key covers all of it, because a
// `next` comes back from the client and must not be trusted (TAXII 2.1 Appendix B).
// Pure; thread-safe.
//
// Format (docs: stix21 design, "cursor"), base64url without padding of:
//   u8 format (1) | i64 date_added µs | u16 id length | id | u8 key length | version_key |
//   16 bytes SHA-256(filter fingerprint) | 16 bytes SHA-256(principal) | i64 expiry µs |
//   32 bytes HMAC-SHA256(key, everything before)
// integers big-endian. The MAC is checked first (in constant time); only then the rest is read.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/objects.hpp"

namespace taxii::stix21 {

// Longest `next` decode_cursor() looks at (an id of up to 1024 bytes fits).
inline constexpr std::size_t kMaxCursorLength = 2048;

// `fingerprint` is filter_fingerprint() of the query (stix21/query.hpp); `principal` the
// authenticated user ("" for anonymous); `key` the server's secret (any length; 32 random bytes
// recommended). REQUIRES: after.id at most 1024 bytes, after.version_key at most 255.
std::string encode_cursor(const storage::ObjectQuery::After& after, std::string_view fingerprint,
                          std::string_view principal, Timestamp expires, std::string_view key);

// The position to continue after, or a BadMessage (HTTP 400, TAXII 2.1 §3.5) saying whether
// the value is not a cursor of this server, was made for other filters or another user, or has
// expired (expiry < now).
[[nodiscard]] Result<storage::ObjectQuery::After> decode_cursor(std::string_view next, std::string_view fingerprint,
                                                                std::string_view principal, Timestamp now,
                                                                std::string_view key);

}  // namespace taxii::stix21
