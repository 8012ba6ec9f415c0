// A file embedded in the binary at build time by cmake/Embed.cmake: the XML schemas (xsd/) and the
// SQL migrations (schemas/). Each embedding folder's embedded.hpp declares its table,
// `kFiles[kFileCount]`, which the generated source defines. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace taxii {

struct EmbeddedFile {
  const char* name;  // file name, e.g. "001_initial.sql", "taxii_xml_binding_1.1.xsd"
  const char* data;
  std::size_t size;
};

// The file named `name` among files[0, count); empty if there is none.
inline std::string_view find_embedded(const EmbeddedFile* files, std::size_t count, std::string_view name) {
  for (std::size_t i = 0; i < count; ++i)
    if (name == files[i].name) return {files[i].data, files[i].size};
  return {};
}

}  // namespace taxii
