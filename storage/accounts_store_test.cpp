// Store section "Accounts (issue #7)" on SQLite (in memory and on disk, across a reopen).
// The same calls on PostgreSQL with TAXII_TEST_POSTGRES_URI (tools/postgres.sh prints one).
#define BOOST_TEST_MODULE accounts_store
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "storage/store.hpp"

using namespace taxii;
using namespace taxii::storage;

namespace {

void exercise(Store& st) {
  BOOST_TEST(!st.get_account("alice")->has_value());
  BOOST_TEST(st.put_account({"bob", "aGFzaA==", "c2FsdA==", 1000, {}}).ok());
  BOOST_TEST(st.put_account({"alice", "aGFzaA==", "c2FsdA==", 210000, {"a", "b"}}).ok());
  auto a = st.get_account("alice");
  BOOST_TEST_REQUIRE(a.ok());
  BOOST_TEST_REQUIRE(a->has_value());
  BOOST_TEST((*a)->iterations == 210000);
  BOOST_TEST((*a)->groups.size() == 2u);
  BOOST_TEST((*a)->salt == "c2FsdA==");
  // Replace.
  BOOST_TEST(st.put_account({"alice", "bmV3", "c2FsdA==", 300000, {}}).ok());
  BOOST_TEST((*st.get_account("alice"))->hash == "bmV3");
  BOOST_TEST((*st.get_account("alice"))->groups.empty());
  auto all = st.list_accounts();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST_REQUIRE(all->size() == 2u);
  BOOST_TEST((*all)[0].username == "alice");
  BOOST_TEST(*st.delete_account("alice"));
  BOOST_TEST(!*st.delete_account("alice"));
  BOOST_TEST(st.list_accounts()->size() == 1u);
  BOOST_TEST(*st.delete_account("bob"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(put_get_list_delete_sqlite) {
  auto s = open_store("sqlite::memory:");
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.error().message()));
  exercise(**s);
}

// With TAXII_TEST_POSTGRES_URI (tools/postgres.sh), the same on PostgreSQL.
BOOST_AUTO_TEST_CASE(put_get_list_delete_postgres) {
  const char* uri = std::getenv("TAXII_TEST_POSTGRES_URI");
  if (uri == nullptr) {
    BOOST_TEST_MESSAGE("TAXII_TEST_POSTGRES_URI not set: skipped");
    return;
  }
  auto s = open_store(uri);
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.error().message()));
  auto existing = (*s)->list_accounts();  // kept alive: the loop must not range over a temporary
  BOOST_TEST_REQUIRE(existing.ok());
  for (const auto& a : *existing) (void)(*s)->delete_account(a.username);
  exercise(**s);
}

BOOST_AUTO_TEST_CASE(accounts_survive_a_reopen) {
  const auto dir = std::filesystem::temp_directory_path() / ("taxii-accounts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string uri = "sqlite://" + (dir / "x.db").string();
  {
    auto s = open_store(uri);
    BOOST_TEST_REQUIRE(s.ok());
    BOOST_TEST((*s)->put_account({"carol", "aA==", "cw==", 1000, {"g"}}).ok());
  }
  auto s = open_store(uri);
  BOOST_TEST_REQUIRE(s.ok());
  auto c = (*s)->get_account("carol");
  BOOST_TEST_REQUIRE((c.ok() && c->has_value()));
  BOOST_TEST((*c)->groups.at(0) == "g");
  std::filesystem::remove_all(dir);
}
