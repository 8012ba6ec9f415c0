// The project's XML schemas (xsd/*.xsd), embedded in the binary at build time so that
// validation never reads the file system or the network. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/embedded_file.hpp"

namespace taxii::xsd {

using taxii::EmbeddedFile;
extern const EmbeddedFile kFiles[];
extern const std::size_t kFileCount;

// The schema with that file name, e.g. "taxii_xml_binding_1.1.xsd"; empty if unknown.
inline std::string_view find(std::string_view name) { return find_embedded(kFiles, kFileCount, name); }

}  // namespace taxii::xsd
