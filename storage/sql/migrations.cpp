#include "storage/sql/migrations.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

namespace taxii::storage::detail {

using Poco::Int64;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

std::vector<Migration> migrations(const schemas::EmbeddedFile* files, std::size_t count) {
  std::vector<Migration> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view name = files[i].name;
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    if (digits == 0 || digits > 9 || digits == name.size() || name[digits] != '_')
      throw Poco::DataException("embedded schema file without a version prefix: " + std::string(name));
    out.push_back({std::stoll(std::string(name.substr(0, digits))), name, {files[i].data, files[i].size}});
  }
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw Poco::DataException("two embedded schema files with version " + std::to_string(out[i].version));
  return out;
}

void migrate(Poco::Data::Session& s, const MigrationSteps& steps) {
  const std::vector<Migration> all = migrations(steps.files, steps.count);
  const int64_t newest = all.empty() ? 0 : all.back().version;
  if (steps.before) steps.before(s);
  Int64 has_table = 0;
  s << steps.table_exists, into(has_table), now;
  Int64 current = 0;
  if (has_table != 0) s << "SELECT coalesce(max(version), 0) FROM schema_version", into(current), now;
  if (current > newest)
    throw Poco::DataException("database schema version " + std::to_string(current) +
                              " is newer than this program's (" + std::to_string(newest) + ")");
  static const std::regex kBlob("\\bBLOB\\b");
  for (const Migration& m : all) {
    if (m.version <= current) continue;
    steps.exec(s, std::regex_replace(std::string(m.sql), kBlob, steps.bytes_type));
    Int64 version = m.version;
    Int64 at = steps.now_micros();
    s << steps.insert_version, use(version), use(at), now;
  }
}

}  // namespace taxii::storage::detail
