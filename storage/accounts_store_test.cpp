// Store section "Accounts (issue #7)" on SQLite (in memory and on disk, across a reopen), with
// the accounts' API tokens (issue #22) also on the memory store (storage/testing/). The same
// calls on PostgreSQL with TAXII_TEST_POSTGRES_URI (tools/postgres.sh prints one).
#define BOOST_TEST_MODULE accounts_store
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "storage/store.hpp"
#include "storage/testing/memory_store.hpp"

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

Store::Token token(const std::string& id, const std::string& user, char hash, int64_t created) {
  return {id, user, std::string(64, hash), "for " + id, Timestamp::from_micros(created)};
}

void exercise_tokens(Store& st) {
  BOOST_TEST(st.put_account({"bob", "aGFzaA==", "c2FsdA==", 1000, {}}).ok());
  BOOST_TEST(st.put_token(token("t2", "bob", 'b', 20)).ok());
  BOOST_TEST(st.put_token(token("t1", "bob", 'a', 10)).ok());
  BOOST_TEST(st.put_token(token("t3", "config-user", 'c', 5)).ok());  // an account of the configuration
  BOOST_TEST(!st.put_token(token("t1", "bob", 'd', 30)).ok());        // the id is taken
  BOOST_TEST(!st.put_token(token("t4", "bob", 'a', 30)).ok());        // the hash is taken
  auto found = st.find_token(std::string(64, 'a'));
  BOOST_TEST_REQUIRE(found.ok());
  BOOST_TEST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->id == "t1");
  BOOST_TEST((*found)->username == "bob");
  BOOST_TEST((*found)->label == "for t1");
  BOOST_TEST((*found)->created.micros() == 10);
  BOOST_TEST(!st.find_token(std::string(64, 'z'))->has_value());
  auto bobs = st.list_tokens("bob");
  BOOST_TEST_REQUIRE(bobs.ok());
  BOOST_TEST_REQUIRE(bobs->size() == 2u);
  BOOST_TEST((*bobs)[0].id == "t1");  // by creation
  BOOST_TEST(st.list_tokens("")->size() == 3u);
  BOOST_TEST(*st.delete_token("t1"));
  BOOST_TEST(!*st.delete_token("t1"));
  BOOST_TEST(!st.find_token(std::string(64, 'a'))->has_value());
  BOOST_TEST(*st.delete_account("bob"));  // takes bob's tokens along
  BOOST_TEST(!st.find_token(std::string(64, 'b'))->has_value());
  BOOST_TEST(st.list_tokens("")->size() == 1u);
  BOOST_TEST(!*st.delete_account("config-user"));  // not a stored account: its tokens go all the same
  BOOST_TEST(st.list_tokens("")->empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(put_get_list_delete_sqlite) {
  auto s = open_store("sqlite::memory:");
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.error().message()));
  exercise(**s);
  exercise_tokens(**s);
}

BOOST_AUTO_TEST_CASE(put_get_list_delete_memory) {
  storage::testing::MemoryStore s;
  exercise(s);
  exercise_tokens(s);
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
  auto tokens = (*s)->list_tokens("");
  BOOST_TEST_REQUIRE(tokens.ok());
  for (const auto& t : *tokens) (void)(*s)->delete_token(t.id);
  exercise(**s);
  exercise_tokens(**s);
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
