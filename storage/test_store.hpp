// Test support (library taxii_test_store; never linked into taxiid): which storage backend
// the storage-using tests run against, and fresh, uniquely named PostgreSQL schemas for them.
//
// The backend is chosen by the environment, so that CTest can register every such test twice
// (tests/wire/CMakeLists.txt, services/CMakeLists.txt: `name` and `name_pg`):
//   TAXII_TEST_STORE         unset or "sqlite": SQLite; "postgres": PostgreSQL
//   TAXII_TEST_POSTGRES_URI  the database to create the schemas in (tools/postgres.sh
//                            prints one)
// A test selecting PostgreSQL without a URI prints "SKIP <program>: ..." and exits with
// kSkipExitCode (CTest's SKIP_RETURN_CODE), so a missing database is visible, never a pass.
//
// Not thread-safe except where noted.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/store.hpp"

namespace taxii::storage::testing {

inline constexpr int kSkipExitCode = 77;

// TAXII_TEST_STORE == "postgres". Thread-safe.
bool postgres_selected();
// TAXII_TEST_POSTGRES_URI, or "" when unset.
std::string postgres_uri();
// When PostgreSQL is selected but no URI is set: prints the SKIP line to stdout and stderr
// and exits with kSkipExitCode. Otherwise returns.
void exit_if_postgres_unavailable(const std::string& program);
// "sqlite" or "postgres", for messages.
const char* backend_name();

// A new, empty PostgreSQL schema on TAXII_TEST_POSTGRES_URI (name "<prefix>_<pid>_<n>_<random>"),
// dropped with everything in it on destruction. uri() is TAXII_TEST_POSTGRES_URI with
// `options=-csearch_path=<schema>` added, so every connection opened with it (e.g. a taxiid
// configured with it) works inside the schema. Throws std::runtime_error when the database
// cannot be reached.
class ScratchSchema {
 public:
  explicit ScratchSchema(const std::string& prefix = "test");
  ~ScratchSchema();
  ScratchSchema(const ScratchSchema&) = delete;
  ScratchSchema& operator=(const ScratchSchema&) = delete;

  const std::string& name() const { return name_; }
  const std::string& uri() const { return uri_; }
  // Runs one SQL statement inside the schema (on a connection of its own). Throws
  // std::runtime_error.
  void exec(const std::string& sql) const;

 private:
  std::string base_uri_;
  std::string name_;
  std::string uri_;
};

// The store URI for a taxiid under test, and what keeps its database alive: a schema of its
// own on PostgreSQL, "sqlite://<sqlite_path>" otherwise.
struct TestStoreUri {
  std::string uri;
  std::unique_ptr<ScratchSchema> schema;  // null for SQLite
};
TestStoreUri test_store_uri(const std::string& sqlite_path, const std::string& prefix = "test");

// A fresh store for a unit test: "sqlite::memory:", or a new schema on PostgreSQL. The schema
// outlives the store (members are destroyed in reverse order).
struct TestStore {
  std::unique_ptr<ScratchSchema> schema;
  std::unique_ptr<Store> store;
  Store& operator*() { return *store; }
  Store* operator->() { return store.get(); }
};
// Throws std::runtime_error when the store cannot be opened.
TestStore open_test_store(const std::string& prefix = "unit");

}  // namespace taxii::storage::testing
