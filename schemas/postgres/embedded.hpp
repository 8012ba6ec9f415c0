// The PostgreSQL migrations (schemas/postgres/*.sql), embedded in the binary at build time,
// kept apart from the SQLite ones (schemas/embedded.hpp) so that each store applies only
// its own. Same naming rule: "<version>_<what>.sql", applied in version order by
// PostgresStore. Immutable; thread-safe.
#pragma once

#include <cstddef>

#include "schemas/embedded.hpp"

namespace taxii::schemas::postgres {

extern const EmbeddedFile kFiles[];
extern const std::size_t kFileCount;

}  // namespace taxii::schemas::postgres
