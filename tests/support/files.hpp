// Test helpers: reading files, temporary directories, the optional shared spec folder.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdlib.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace taxii::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary);
  f << data;
}

inline std::vector<std::filesystem::path> xml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".xml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// ../shared/spec beside the repository, when present (reference material, optional).
inline std::filesystem::path shared_spec() { return TAXII_SHARED_SPEC; }
inline bool have_shared_spec() { return std::filesystem::is_directory(shared_spec() / "xsd"); }
inline std::filesystem::path source_dir() { return TAXII_SOURCE_DIR; }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "taxii-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs xmllint against an official schema; true if valid. Requires xmllint on PATH.
inline bool xmllint_valid(const std::filesystem::path& schema, const std::filesystem::path& file) {
  const std::string cmd = "xmllint --noout --nonet --schema '" + schema.string() + "' '" + file.string() +
                          "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace taxii::test
