// The project's SQL schemas (schemas/sqlite/*.sql), embedded in the binary at build time
// so that a store can create or migrate its database without reading the file system.
// Migration files are named "<version>_<what>.sql" (001_initial.sql); a store applies
// those newer than its schema_version in version order. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace taxii::schemas {

struct EmbeddedFile {
  const char* name;  // file name, e.g. "001_initial.sql"
  const char* data;
  std::size_t size;
};

extern const EmbeddedFile kFiles[];
extern const std::size_t kFileCount;

// The schema with that file name; empty if unknown.
inline std::string_view find(std::string_view name) {
  for (std::size_t i = 0; i < kFileCount; ++i)
    if (name == kFiles[i].name) return {kFiles[i].data, kFiles[i].size};
  return {};
}

}  // namespace taxii::schemas
