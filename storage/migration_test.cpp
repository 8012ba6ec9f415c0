// Forward migrations (docs/storage.md "Migrations"), on both backends: a database left at an
// older schema version by an older taxiid is brought to the newest version when a store opens
// it, its data kept; one at a newer version is refused. SQLite: a temporary file; PostgreSQL: a
// fresh schema on TAXII_TEST_POSTGRES_URI (without it the PostgreSQL case reports SKIP).
//
// "Version 1" is made by taking a new database back: migrations 002 to 005 only add tables,
// so dropping those tables and their schema_version rows leaves exactly what 001 made.
#define BOOST_TEST_MODULE migration
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "storage/test_store.hpp"

using namespace taxii;
using namespace taxii::storage;
namespace fs = std::filesystem;
using Poco::Data::Keywords::now;

namespace {

constexpr int64_t kNewest = 5;  // schemas/shared/005_tokens.sql
const char* const kLaterTables[] = {"api_tokens",    "statuses",      "objects",      "object_collections",
                                    "accounts",      "inbox_sources", "async_results", "subscriptions"};

// One backend: open the store, run raw SQL beside it, read the version.
struct Backend {
  std::function<std::unique_ptr<Store>()> open;
  std::function<void(const std::string&)> sql;
  std::function<int64_t(Store&)> version;
};

void check_forward_migration(Backend& b) {
  {
    auto store = b.open();
    BOOST_TEST_REQUIRE(b.version(*store) == kNewest);
    BOOST_TEST_REQUIRE(store->ensure_collection("feed").ok());
    NewBlock nb;
    nb.binding_id = "urn:stix.mitre.org:xml:1.2";
    nb.content = "<x>kept</x>";
    BOOST_TEST_REQUIRE(store->append({"feed"}, {nb}).ok());
  }
  // Back to version 1, as an older taxiid left it.
  for (const char* t : kLaterTables) b.sql(std::string("DROP TABLE ") + t);
  b.sql("DELETE FROM schema_version WHERE version > 1");

  auto store = b.open();  // migrates 002 to 005
  BOOST_TEST(b.version(*store) == kNewest);
  uint64_t blocks = 0;
  BOOST_TEST_REQUIRE(store->scan(ScanQuery{"feed", {}, {}, {}, 0}, [&](const StoredBlock& s) {
    BOOST_TEST(s.content == "<x>kept</x>");
    ++blocks;
    return true;
  }).ok());
  BOOST_TEST(blocks == 1u);
  // The tables of the later migrations work.
  Subscription s;
  s.id = "urn:uuid:00000000-0000-4000-8000-000000000001";
  s.created = Timestamp::now();
  s.next_attempt = s.created;
  s.collection = "feed";
  s.owner = "alice";
  s.spec_key = "k";
  auto made = store->create_subscription(s);
  BOOST_TEST_REQUIRE(made.ok(), (made.ok() ? "" : made.error().message()));
  BOOST_TEST((*store->get_subscription(made->id)).has_value());
  Store::Account a;
  a.username = "alice";
  a.hash = "aGFzaA==";
  a.salt = "c2FsdA==";
  a.iterations = 1000;
  BOOST_TEST_REQUIRE(store->put_account(a).ok());
  BOOST_TEST((*store->get_account("alice")).has_value());
  BOOST_TEST_REQUIRE(store->ensure_object_collection("91a7b528-80eb-42ed-a74d-c6fbd5a26116").ok());
  BOOST_TEST(!store->added_range("91a7b528-80eb-42ed-a74d-c6fbd5a26116")->has_value());
  BOOST_TEST_REQUIRE(store->put_token({"t1", "alice", std::string(64, 'a'), "", Timestamp::now()}).ok());
  BOOST_TEST((*store->find_token(std::string(64, 'a'))).has_value());

  // A newer database than this program knows is refused (an older taxiid must not write).
  b.sql("INSERT INTO schema_version (version, applied_at) VALUES (" + std::to_string(kNewest + 1) + ", 0)");
  store.reset();
  bool refused = false;
  try {
    b.open();
  } catch (const std::runtime_error&) {
    refused = true;
  }
  BOOST_TEST(refused);
}

}  // namespace

BOOST_AUTO_TEST_CASE(sqlite_database_at_version_1_is_migrated_forward) {
  const fs::path dir = fs::temp_directory_path() / ("taxii-migration-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string file = (dir / "store.db").string();
  Poco::Data::SQLite::Connector::registerConnector();
  Backend b;
  b.open = [&] {
    auto r = SqliteStore::open(file);
    if (!r.ok()) throw std::runtime_error(r.error().message());
    return std::unique_ptr<Store>(std::move(r).value());
  };
  b.sql = [&](const std::string& sql) {
    Poco::Data::Session s("SQLite", file);
    s << sql, now;
  };
  b.version = [](Store& s) { return *static_cast<SqlStore&>(s).schema_version(); };
  check_forward_migration(b);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

BOOST_AUTO_TEST_CASE(postgres_database_at_version_1_is_migrated_forward) {
  if (taxii::storage::testing::postgres_uri().empty()) {
    BOOST_TEST_MESSAGE("SKIP postgres backend: TAXII_TEST_POSTGRES_URI not set");
    BOOST_TEST(true);
    return;
  }
  taxii::storage::testing::ScratchSchema schema("migration");
  Backend b;
  b.open = [&] {
    auto r = PostgresStore::open(schema.uri());
    if (!r.ok()) throw std::runtime_error(r.error().message());
    return std::unique_ptr<Store>(std::move(r).value());
  };
  b.sql = [&](const std::string& sql) { schema.exec(sql); };
  b.version = [](Store& s) { return *static_cast<SqlStore&>(s).schema_version(); };
  check_forward_migration(b);
}
