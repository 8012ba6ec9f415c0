// What is particular to PostgresStore (the Store contract itself is in
// storage/store_contract_test.cpp): URI conversion, migrations and their advisory lock,
// open_store(), failures that must not leak the password, the connection gate.
// The database cases need TAXII_TEST_POSTGRES_URI (tools/postgres.sh); without it they
// report SKIP and pass.
#define BOOST_TEST_MODULE postgres_store
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/connection_uri.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/store.hpp"
#include "storage/test_store.hpp"

using namespace taxii;
using namespace taxii::storage;

namespace {

std::string conninfo(std::string_view uri) {
  auto c = parse_postgres_uri(uri);
  BOOST_TEST_REQUIRE(c.ok(), (c.ok() ? std::string() : c.error().message()));
  return c->conninfo;
}

std::string uri_error(std::string_view uri) {
  auto c = parse_postgres_uri(uri);
  BOOST_TEST_REQUIRE(!c.ok(), uri);
  BOOST_TEST(c.error().type() == StatusType::Failure);
  return c.error().message();
}

const char* test_uri() {
  const char* uri = std::getenv("TAXII_TEST_POSTGRES_URI");
  return uri != nullptr && *uri != '\0' ? uri : nullptr;
}

#define REQUIRE_DATABASE()                                                          \
  do {                                                                              \
    if (test_uri() == nullptr) {                                                    \
      BOOST_TEST_MESSAGE("SKIP postgres backend: TAXII_TEST_POSTGRES_URI not set"); \
      BOOST_TEST(true);                                                             \
      return;                                                                       \
    }                                                                               \
  } while (false)

// A schema of its own for one test case (test_store.hpp), and store options that use it.
struct Schema : testing::ScratchSchema {
  Schema() : ScratchSchema("pgtest") {}
  PostgresStore::Options options() const {
    PostgresStore::Options o;
    o.schema = name();
    return o;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(uri)

BOOST_AUTO_TEST_CASE(converts_to_keyword_value) {
  BOOST_TEST(conninfo("postgresql://taxii:taxii@127.0.0.1:55432/taxii_test") ==
             "connect_timeout=10 dbname=taxii_test fallback_application_name=taxii "
             "host=127.0.0.1 password=taxii port=55432 user=taxii");
  BOOST_TEST(conninfo("postgres://db.example/x") ==
             "connect_timeout=10 dbname=x fallback_application_name=taxii host=db.example");
  // libpq defaults (environment, unix socket) when the URI names nothing.
  BOOST_TEST(conninfo("postgresql://") == "connect_timeout=10 fallback_application_name=taxii");
  BOOST_TEST(conninfo("postgresql:///db?host=%2Fvar%2Frun%2Fpostgresql&connect_timeout=3") ==
             "connect_timeout=3 dbname=db fallback_application_name=taxii "
             "host=/var/run/postgresql");
}

BOOST_AUTO_TEST_CASE(decodes_and_passes_parameters_through) {
  BOOST_TEST(conninfo("postgresql://us%40er:p%3Ass%2Fw%40rd@h/d%C3%A9?sslmode=require&"
                      "options=-csearch_path%3Dtaxii&application_name=t1") ==
             "application_name=t1 connect_timeout=10 dbname=d\xc3\xa9 "
             "fallback_application_name=taxii host=h options=-csearch_path=taxii "
             "password=p:ss/w@rd sslmode=require user=us@er");
  BOOST_TEST(conninfo("postgresql://[::1]:6000,h2,h3:7000/d") ==
             "connect_timeout=10 dbname=d fallback_application_name=taxii host=::1,h2,h3 "
             "port=6000,5432,7000");
  BOOST_TEST(conninfo("postgresql://u@[2001:db8::2]/d") ==
             "connect_timeout=10 dbname=d fallback_application_name=taxii host=2001:db8::2 "
             "user=u");
}

BOOST_AUTO_TEST_CASE(redacts_the_password) {
  auto c = parse_postgres_uri("postgresql://u:secret@h:5/d?password=secret2&sslmode=require");
  BOOST_TEST_REQUIRE(c.ok());
  BOOST_TEST(c->redacted == "postgresql://u@h:5/d");
  BOOST_TEST(c->conninfo.find("password=secret2") != std::string::npos);  // query wins
}

BOOST_AUTO_TEST_CASE(refuses_what_cannot_be_passed_without_echoing_it) {
  const std::string spaced = uri_error("postgresql://u:pass%20word@h/d");
  BOOST_TEST(spaced.find("password file") != std::string::npos);
  BOOST_TEST(spaced.find("pass word") == std::string::npos);
  BOOST_TEST(uri_error("postgresql://u:it%27s@h/d").find("it's") == std::string::npos);
  BOOST_TEST(uri_error("postgresql://h/d?sslmode=re%5Cquire").find("sslmode") != std::string::npos);
  for (const char* bad :
       {"mysql://h/d", "postgresql:/h/d", "postgresql://h:port/d", "postgresql://[::1/d",
        "postgresql://h/d%zz", "postgresql://h/d%00", "postgresql://h/d?novalue",
        "postgresql://h/d?Bad=1", "postgresql://u:secret%ZZ@h/d"}) {
    const std::string m = uri_error(bad);
    BOOST_TEST(m.find("secret") == std::string::npos, bad);
    BOOST_TEST(m.find("PostgreSQL store URI") == 0u, bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(database)

BOOST_AUTO_TEST_CASE(schema_is_applied_once) {
  REQUIRE_DATABASE();
  Schema schema;
  int64_t newest = 0;
  {
    auto s = PostgresStore::open(test_uri(), schema.options());
    BOOST_TEST_REQUIRE(s.ok());
    newest = *(*s)->schema_version();
    BOOST_TEST(newest >= 2);  // 001_initial, 002_subscriptions, ...
    BOOST_TEST((*s)->ensure_collection("c").ok());
  }
  auto s = PostgresStore::open(test_uri(), schema.options());  // must not re-run any migration
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(*(*s)->schema_version() == newest);
  BOOST_TEST(*(*s)->has_collection("c"));
}

BOOST_AUTO_TEST_CASE(instances_starting_together_migrate_once) {
  REQUIRE_DATABASE();
  Schema schema;
  constexpr int kInstances = 6;
  std::atomic<int> opened{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&] {
      auto s = PostgresStore::open(test_uri(), schema.options());
      if (s.ok() && (*s)->schema_version().ok() && *(*s)->schema_version() >= 2) ++opened;
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(opened == kInstances);
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused) {
  REQUIRE_DATABASE();
  Schema schema;
  { BOOST_TEST_REQUIRE(PostgresStore::open(test_uri(), schema.options()).ok()); }
  schema.exec("INSERT INTO schema_version VALUES (999, 0)");
  auto s = PostgresStore::open(test_uri(), schema.options());
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.error().type() == StatusType::Failure);
}

BOOST_AUTO_TEST_CASE(open_store_takes_the_uri_with_libpq_options) {
  REQUIRE_DATABASE();
  Schema schema;
  auto s = open_store(schema.uri());  // options=-csearch_path%3D<schema>
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? std::string() : s.error().message()));
  BOOST_TEST((*s)->ensure_collection("via-open-store").ok());
  // The tables went into the schema named by search_path.
  auto direct = PostgresStore::open(test_uri(), schema.options());
  BOOST_TEST_REQUIRE(direct.ok());
  BOOST_TEST(*(*direct)->has_collection("via-open-store"));
}

BOOST_AUTO_TEST_CASE(failures_do_not_leak_the_password) {
  REQUIRE_DATABASE();
  auto c = parse_postgres_uri(test_uri());
  BOOST_TEST_REQUIRE(c.ok());
  // The test server's address with a wrong password, and a port nobody listens on.
  const std::string redacted = c->redacted;  // postgresql://user@host:port/db
  const std::string user = redacted.substr(13, redacted.find('@') - 13);
  const std::string rest = redacted.substr(redacted.find('@') + 1);
  for (const std::string& bad :
       {"postgresql://" + user + ":Wr0ngSecret@" + rest,
        std::string("postgresql://u:Wr0ngSecret@127.0.0.1:1/x?connect_timeout=2")}) {
    auto s = open_store(bad);
    BOOST_TEST_REQUIRE(!s.ok());
    BOOST_TEST(s.error().type() == StatusType::Failure);
    BOOST_TEST(s.error().message().find("Wr0ngSecret") == std::string::npos);
    BOOST_TEST(s.error().message().find("postgresql://") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(one_connection_is_enough) {
  // Callers queue at the gate; a scan callback holds no connection, so it can use the store.
  REQUIRE_DATABASE();
  Schema schema;
  PostgresStore::Options o = schema.options();
  o.max_connections = 1;
  auto opened = PostgresStore::open(test_uri(), o);
  BOOST_TEST_REQUIRE(opened.ok());
  PostgresStore& s = **opened;
  BOOST_TEST_REQUIRE(s.ensure_collection("c").ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        if (!s.append({"c"}, {NewBlock{"b", std::nullopt, "x", std::nullopt}}).ok()) ++failures;
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(failures == 0);
  ScanQuery q;
  q.collection = "c";
  int visited = 0;
  BOOST_TEST(s.scan(q, [&](const StoredBlock&) {
                ++visited;
                return s.count(q).ok();
              }).ok());
  BOOST_TEST(visited == 40);
}

BOOST_AUTO_TEST_CASE(connections_killed_while_idle_cost_no_failed_call) {
  // As after a database restart or failover: the server ends every pooled connection.
  REQUIRE_DATABASE();
  Schema schema;
  const std::string uri = test_uri();
  auto opened = PostgresStore::open(
      uri + (uri.find('?') == std::string::npos ? "?" : "&") + "application_name=" + schema.name(),
      schema.options());
  BOOST_TEST_REQUIRE(opened.ok());
  PostgresStore& s = **opened;
  BOOST_TEST_REQUIRE(s.ensure_collection("c").ok());
  std::vector<std::thread> threads;  // several pooled connections
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] { (void)s.append({"c"}, {NewBlock{"b", std::nullopt, "x", {}}}); });
  for (auto& t : threads) t.join();
  schema.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
              schema.name() + "'");
  // Idle for more than the ping threshold (one second).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (int i = 0; i < 6; ++i) BOOST_TEST(s.append({"c"}, {NewBlock{"b", {}, "y", {}}}).ok());
  ScanQuery q;
  q.collection = "c";
  BOOST_TEST(*s.count(q) == 10u);
}

BOOST_AUTO_TEST_CASE(text_that_postgresql_cannot_hold_fails_cleanly) {
  // PostgreSQL text holds no NUL and only valid UTF-8; such a block is refused as a whole,
  // with a neutral Failure, and the store stays usable.
  REQUIRE_DATABASE();
  Schema schema;
  auto opened = PostgresStore::open(test_uri(), schema.options());
  BOOST_TEST_REQUIRE(opened.ok());
  PostgresStore& s = **opened;
  BOOST_TEST_REQUIRE(s.ensure_collection("c").ok());
  auto r = s.append({"c"}, {NewBlock{"ok", std::nullopt, "x", std::nullopt},
                            NewBlock{"bad\xff", std::nullopt, "y", std::nullopt}});
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::Failure);
  BOOST_TEST(r.error().message().find("INSERT") == std::string::npos);
  ScanQuery q;
  q.collection = "c";
  BOOST_TEST(*s.count(q) == 0u);
  BOOST_TEST(s.append({"c"}, {NewBlock{"ok", std::nullopt, "x", std::nullopt}}).ok());
  BOOST_TEST(*s.count(q) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
