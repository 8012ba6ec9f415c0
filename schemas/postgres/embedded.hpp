// The PostgreSQL migrations (schemas/postgres/*.sql), embedded in the binary at build time,
// kept apart from the SQLite ones (schemas/embedded.hpp) so that each store applies only
// its own. Same naming rule: "<version>_<what>.sql", applied in version order by
// PostgresStore. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "schemas/embedded.hpp"

namespace taxii::schemas::postgres {

extern const EmbeddedFile kFiles[];
extern const std::size_t kFileCount;

// The schema with that file name; empty if unknown.
inline std::string_view find(std::string_view name) {
  for (std::size_t i = 0; i < kFileCount; ++i)
    if (name == kFiles[i].name) return {kFiles[i].data, kFiles[i].size};
  return {};
}

}  // namespace taxii::schemas::postgres
