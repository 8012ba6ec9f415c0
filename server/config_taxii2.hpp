// Reads the taxii2: section of taxiid's configuration into ServerConfig::taxii2 (internal to
// load_config(); REQUIRES: limits and services already read).
#pragma once

#include <yaml-cpp/yaml.h>

#include "server/config.hpp"
#include "server/config_reader.hpp"

namespace taxii::server {

void read_taxii2(detail::Reader& r, const YAML::Node& root, ServerConfig& c);

}  // namespace taxii::server
