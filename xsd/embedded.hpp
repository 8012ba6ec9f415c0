// The project's XML schemas (xsd/*.xsd), embedded in the binary at build time so that
// validation never reads the file system or the network. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace taxii::xsd {

struct EmbeddedFile {
  const char* name;  // file name, e.g. "taxii_xml_binding_1.1.xsd"
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

}  // namespace taxii::xsd
