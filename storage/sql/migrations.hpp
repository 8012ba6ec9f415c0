// Forward-only schema migrations (docs/storage.md "Migrations"), the same runner for both SQL
// backends. A backend's migrations are the embedded files of its list (schemas/embedded.hpp,
// schemas/postgres/embedded.hpp), named "<version>_<what>.sql"; those newer than the database's
// schema_version are applied in version order, in one transaction, each followed by its
// schema_version row. A database newer than the program is refused. Files the two databases read
// alike are written once (schemas/shared/) with BLOB for bytes, applied as the backend's
// bytes type. Internal to storage/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/embedded.hpp"

namespace Poco::Data {
class Session;
}

namespace taxii::storage::detail {

struct Migration {
  int64_t version = 0;
  std::string_view name;
  std::string_view sql;
};

// The files in version order. Throws Poco::DataException for a name without a version prefix
// or two files of one version.
std::vector<Migration> migrations(const schemas::EmbeddedFile* files, std::size_t count);

// What a backend tells the runner.
struct MigrationSteps {
  const schemas::EmbeddedFile* files = nullptr;
  std::size_t count = 0;
  std::string table_exists;  // one row, one integer: whether schema_version exists yet
  std::string insert_version;  // rendered INSERT INTO schema_version (version, applied_at)
  std::string bytes_type;  // what BLOB in a migration is applied as
  std::function<void(Poco::Data::Session&)> before;  // first, in the transaction (may be empty)
  std::function<void(Poco::Data::Session&, const std::string&)> exec;  // several statements
  std::function<int64_t()> now_micros;
};

// Applies the pending migrations on s, inside a transaction the caller holds. Throws.
void migrate(Poco::Data::Session& s, const MigrationSteps& steps);

}  // namespace taxii::storage::detail
