// The key of the `next` cursors' MAC (stix21/cursor.hpp; docs/taxii21.md, "Paging"): every
// taxiid instance on one store must use the same, so that a page fetched from one instance
// can be continued on another. taxii2.cursor_secret when configured; else 32 random bytes
// kept in the store under a reserved status id (never served: it is under no API root, and
// never expires: it is not complete). Two instances starting at once on an empty store may
// both write one; each reads back what is stored after writing, so the later writer's key
// wins and only the other's first few cursors could be refused (400; the client restarts).
#pragma once

#include <string>

#include "storage/objects.hpp"
#include "taxii21/config.hpp"

namespace taxii::taxii21 {

inline constexpr const char* kCursorKeyRecord = "taxiid-taxii2-cursor-key";

// The key; on a store failure a random key of this process, with `warning` set.
std::string cursor_key(const Taxii2Config& config, storage::ObjectStore& store, std::string& warning);

}  // namespace taxii::taxii21
