// Test helpers for the taxiid configuration loader (server/config.hpp): a configuration text in a
// file of its own, loaded; its errors searched. Used by server/config_test.cpp and
// server/auth_config_test.cpp. Include after <boost/test/unit_test.hpp> (with the test module).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "server/config.hpp"

namespace taxii::test {

// `text` as taxiid.yaml in a fresh temporary directory, removed with the object.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "taxiid-config-XXXXXX").string();
    char* dir = mkdtemp(tmpl.data());
    BOOST_TEST_REQUIRE(dir != nullptr);
    path_ = std::filesystem::path(dir) / "taxiid.yaml";
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove_all(path_.parent_path()); }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // load_config() of the file; its errors are logged as test messages.
  server::ConfigLoad load() const {
    server::ConfigLoad c = server::load_config(path_.string());
    for (const auto& e : c.errors) BOOST_TEST_MESSAGE(e);
    return c;
  }

 private:
  std::filesystem::path path_;
};

// The configuration `text` loaded; the test stops unless it loads without errors.
inline server::ServerConfig loads(const std::string& text) {
  server::ConfigLoad c = ConfigFile(text).load();
  BOOST_TEST_REQUIRE(c.config.has_value());
  return std::move(*c.config);
}

// The configuration `text` refused (a failed check unless it is): the load, with its errors.
inline server::ConfigLoad refused(const std::string& text) {
  server::ConfigLoad c = ConfigFile(text).load();
  BOOST_TEST(!c.config.has_value());
  return c;
}

// Whether one of the load's errors contains `needle`.
inline bool has_error(const server::ConfigLoad& c, const std::string& needle) {
  for (const auto& e : c.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace taxii::test
