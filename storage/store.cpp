#include "storage/store.hpp"

#include <utility>

#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace taxii::storage {
namespace {

constexpr std::string_view kSupported =
    "supported: sqlite:///absolute/path.db, sqlite://relative/path.db, sqlite::memory:, "
    "postgresql://user:password@host:port/database";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Result<std::unique_ptr<Store>> open_sqlite(std::string path) {
  // SQLite would read "file:..." as a URI with options of its own; keep it a file name.
  if (starts_with(path, "file:")) path = "./" + path;
  auto store = SqliteStore::open(path);
  if (!store.ok()) return store.error();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& uri) {
  const std::string_view u = uri;
  if (u == "sqlite::memory:") return open_sqlite(":memory:");
  if (starts_with(u, "sqlite://")) {
    // "sqlite:///abs/path.db" -> "/abs/path.db"; "sqlite://rel/path.db" -> "rel/path.db".
    std::string path(u.substr(9));
    if (path.empty() || path == "/")
      return Error::failure("store URI \"sqlite://\" names no database file (" +
                            std::string(kSupported) + ")");
    return open_sqlite(std::move(path));
  }
  if (starts_with(u, "sqlite:"))
    return Error::failure("malformed SQLite store URI (" + std::string(kSupported) + ")");
  if (starts_with(u, "postgresql://") || starts_with(u, "postgres://")) {
    auto store = PostgresStore::open(uri);
    if (!store.ok()) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  // Name only the scheme: the rest of a database URI may hold a password.
  const std::size_t colon = u.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return Error::failure("store URI has no scheme (" + std::string(kSupported) + ")");
  return Error::failure("unsupported store URI scheme \"" + std::string(u.substr(0, colon)) +
                        "\" (" + std::string(kSupported) + ")");
}

Result<std::string> check_store(const std::string& uri) {
  const std::string_view u = uri;
  if (starts_with(u, "postgresql://") || starts_with(u, "postgres://")) return check_postgres_store(uri);
  if (u == "sqlite::memory:") return std::string("SQLite store in memory");
  if (starts_with(u, "sqlite://") && u.size() > 9 && u.substr(9) != "/")
    return "SQLite store " + std::string(u.substr(9)) + " (created at start if missing)";
  // Anything else: the reason open_store gives.
  auto refused = open_store(uri);
  if (refused.ok()) return std::string("store ") + uri;
  return refused.error();
}

}  // namespace taxii::storage
