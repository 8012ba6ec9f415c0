// The project's SQL schemas (schemas/sqlite/*.sql), embedded in the binary at build time
// so that a store can create or migrate its database without reading the file system.
// Migration files are named "<version>_<what>.sql" (001_initial.sql); a store applies
// those newer than its schema_version in version order. Immutable; thread-safe.
#pragma once

#include <cstddef>

#include "core/embedded_file.hpp"

namespace taxii::schemas {

using taxii::EmbeddedFile;
extern const EmbeddedFile kFiles[];
extern const std::size_t kFileCount;

}  // namespace taxii::schemas
