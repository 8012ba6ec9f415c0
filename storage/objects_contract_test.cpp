// The ObjectStore contract (storage/objects.hpp), backend-independent: every case runs on the
// memory store (storage/testing/), on SQLite (a fresh temporary file) and on PostgreSQL (a
// fresh schema in the database named by TAXII_TEST_POSTGRES_URI; without it the PostgreSQL
// runs report SKIP and pass; tools/postgres.sh starts a throwaway server and prints one).
#define BOOST_TEST_MODULE objects_contract
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/clock.hpp"
#include "core/timestamp.hpp"
#include "storage/objects.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "storage/test_store.hpp"
#include "storage/testing/memory_store.hpp"

namespace fs = std::filesystem;
namespace data = boost::unit_test::data;
using namespace taxii;
using namespace taxii::storage;
using Kind = AddOutcome::Kind;

enum class Backend { Memory, Sqlite, Postgres };
std::ostream& operator<<(std::ostream& os, Backend b) {
  return os << (b == Backend::Memory ? "memory" : b == Backend::Sqlite ? "sqlite" : "postgres");
}

namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = 1700000000 * kSecond;  // 2023-11-14T22:13:20Z
const auto kBackends = data::make({Backend::Memory, Backend::Sqlite, Backend::Postgres});
const auto kSqlBackends = data::make({Backend::Sqlite, Backend::Postgres});
const std::string kC = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
const std::string kOther = "52892447-4d7e-4f70-b94d-d7f22742ff63";

// A fresh, empty store per test case; open() may be called again for a second store (a second
// connection pool, or a second process's view) on the same database. The memory store is one.
class Db {
 public:
  explicit Db(Backend b) : backend_(b) {
    if (backend_ == Backend::Postgres) {
      if (!testing::postgres_uri().empty()) schema_ = std::make_unique<testing::ScratchSchema>("objects");
      return;
    }
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("taxii-objects-" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    fs::create_directories(dir_);
  }
  ~Db() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  bool available() const { return backend_ != Backend::Postgres || schema_ != nullptr; }
  Backend backend() const { return backend_; }

  // A store on this database; the memory store is shared by every open().
  Store& open() {
    if (backend_ == Backend::Memory) {
      if (!memory_) memory_ = std::make_unique<storage::testing::MemoryStore>(clock);
      return *memory_;
    }
    std::function<Timestamp()> fn = [this] { return clock.now(); };
    if (backend_ == Backend::Sqlite) {
      SqliteStore::Options o;
      o.clock = fn;
      auto r = SqliteStore::open((dir_ / "store.db").string(), std::move(o));
      BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
      return *sql_.emplace_back(std::move(r).value());
    }
    PostgresStore::Options o;
    o.clock = fn;
    o.schema = schema_->name();
    auto r = PostgresStore::open(testing::postgres_uri(), std::move(o));
    BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
    return *sql_.emplace_back(std::move(r).value());
  }

  ManualClock clock{Timestamp::from_micros(kT0)};

 private:
  Backend backend_;
  fs::path dir_;
  std::unique_ptr<storage::testing::ScratchSchema> schema_;
  std::unique_ptr<storage::testing::MemoryStore> memory_;
  std::vector<std::unique_ptr<Store>> sql_;
};

#define REQUIRE_BACKEND(db)                                                         \
  do {                                                                              \
    if (!(db).available()) {                                                        \
      BOOST_TEST_MESSAGE("SKIP postgres backend: TAXII_TEST_POSTGRES_URI not set"); \
      BOOST_TEST(true);                                                             \
      return;                                                                       \
    }                                                                               \
  } while (false)

// Version n: 2024-01-(n)T00:00:00.000Z and its key.
std::string version(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2024-01-%02dT00:00:00.000Z", n);
  return buf;
}
std::string key(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2024-01-%02dT00:00:00.000000000Z", n);
  return buf;
}

// An object "<type>--<n>" at version v (0: none, an SCO), spec "2.1"; digest from `content`.
NewObject obj(const std::string& type, int n, int v, const std::string& content = "",
              const std::string& spec = "2.1") {
  NewObject o;
  o.type = type;
  o.id = type + "--00000000-0000-4000-8000-" + std::to_string(100000000000 + n);
  o.spec_version = spec;
  if (v != 0) {
    o.version = version(v);
    o.version_key = key(v);
  }
  o.body = R"({"id":")" + o.id + R"(","v":)" + std::to_string(v) + R"(,"c":")" + content + R"("})";
  o.digest = "d:" + spec + ":" + std::to_string(v) + ":" + content;
  return o;
}

std::vector<AddOutcome> add(Store& s, const std::vector<NewObject>& objects, const std::string& c = kC) {
  auto r = s.add_objects(c, objects);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
  BOOST_TEST_REQUIRE(r->size() == objects.size());
  return std::move(r).value();
}

ObjectQuery query(const std::string& c = kC) {
  ObjectQuery q;
  q.collection = c;
  return q;
}
ObjectQuery all_versions(const std::string& c = kC) {
  ObjectQuery q = query(c);
  q.all_versions = true;
  q.last = false;
  return q;
}

std::vector<StoredObject> scan(Store& s, const ObjectQuery& q) {
  std::vector<StoredObject> out;
  auto st = s.scan_objects(q, [&](StoredObject& o) {
    out.push_back(o);
    return true;
  });
  BOOST_TEST_REQUIRE(st.ok(), (st.ok() ? std::string() : st.error().message()));
  return out;
}

// "id@version_key" of each row, in order.
std::vector<std::string> rows(const std::vector<StoredObject>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back(o.id.substr(0, o.id.find("--")) + o.id.substr(o.id.size() - 2) + "@" +
                                              (o.version_key.size() > 9 ? o.version_key.substr(8, 2) : "?"));
  return out;
}

using Triple = std::tuple<int64_t, std::string, std::string>;
Triple triple(const StoredObject& o) { return {o.date_added.micros(), o.id, o.version_key}; }

bool in_keyset_order(const std::vector<StoredObject>& objects) {
  for (std::size_t i = 1; i < objects.size(); ++i)
    if (!(triple(objects[i - 1]) < triple(objects[i]))) return false;
  return true;
}

// One collection kC with, added in this order (one add each, the clock fixed):
//   add 1: indicator 1 v2, malware 2 v1, indicator 3 v1
//   add 2: indicator 1 v3, malware 2 v2 (spec 2.0)
//   add 3: indicator 1 v1 (an older version, late), indicator 3 v2 (spec 2.0)
Store& three_adds(Db& db) {
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  (void)add(s, {obj("indicator", 1, 2), obj("malware", 2, 1), obj("indicator", 3, 1)});
  (void)add(s, {obj("indicator", 1, 3), obj("malware", 2, 2, "", "2.0")});
  (void)add(s, {obj("indicator", 1, 1), obj("indicator", 3, 2, "", "2.0")});
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(adding)

BOOST_DATA_TEST_CASE(date_added_strictly_increases_per_add_with_a_fixed_clock, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());  // idempotent
  std::vector<Timestamp> seen;
  for (int i = 1; i <= 5; ++i) {
    auto out = add(s, {obj("indicator", i, 1), obj("malware", i, 1)});
    BOOST_TEST((out[0].kind == Kind::Added && out[1].kind == Kind::Added));
    BOOST_TEST((out[0].date_added == out[1].date_added));  // one date_added per add
    BOOST_TEST(out[0].version == version(1));
    seen.push_back(out[0].date_added);
  }
  BOOST_TEST(seen.front().micros() == kT0);
  for (std::size_t i = 1; i < seen.size(); ++i) BOOST_TEST(seen[i].micros() == seen[i - 1].micros() + 1);
  db.clock.set(Timestamp::from_micros(kT0 + 10 * kSecond));
  BOOST_TEST(add(s, {obj("tool", 1, 1)})[0].date_added.micros() == kT0 + 10 * kSecond);
  const auto all = scan(s, query());
  BOOST_TEST(all.size() == 11u);
  BOOST_TEST(in_keyset_order(all));
  BOOST_TEST(all.front().body == obj("indicator", 1, 1).body);
}

BOOST_DATA_TEST_CASE(duplicates_and_conflicts, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kOther).ok());
  const auto first = add(s, {obj("indicator", 1, 1, "a")});
  db.clock.set(Timestamp::from_micros(kT0 + kSecond));
  // The same version with the same content: a duplicate keeping its date_added; another content:
  // a conflict, the stored one stays; a new version: added; in another collection: independent.
  const auto again = add(s, {obj("indicator", 1, 1, "a"), obj("indicator", 1, 1, "b"), obj("indicator", 1, 2, "b")});
  BOOST_TEST((again[0].kind == Kind::Duplicate));
  BOOST_TEST((again[0].date_added == first[0].date_added));
  BOOST_TEST(again[0].version == version(1));
  BOOST_TEST((again[1].kind == Kind::Conflict));
  BOOST_TEST((again[2].kind == Kind::Added));
  BOOST_TEST(again[2].date_added.micros() == kT0 + kSecond);
  BOOST_TEST((add(s, {obj("indicator", 1, 1, "b")}, kOther)[0].kind == Kind::Added));
  const auto all = scan(s, all_versions());
  BOOST_TEST_REQUIRE(all.size() == 2u);
  BOOST_TEST(all[0].body == obj("indicator", 1, 1, "a").body);
  BOOST_TEST(all[0].date_added.micros() == kT0);
  // A whole add of duplicates stores nothing and moves nothing.
  const auto dup = add(s, {obj("indicator", 1, 1, "a"), obj("indicator", 1, 2, "b")});
  BOOST_TEST((dup[0].kind == Kind::Duplicate && dup[1].kind == Kind::Duplicate));
  BOOST_TEST(scan(s, all_versions()).size() == 2u);
}

BOOST_DATA_TEST_CASE(sco_version_is_the_date_added_of_its_first_version, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  const Timestamp t0 = Timestamp::from_micros(kT0 + 123456);
  db.clock.set(t0);
  // Twice in one add: the second is a duplicate of the first.
  const auto out = add(s, {obj("ipv4-addr", 1, 0, "x"), obj("ipv4-addr", 1, 0, "x")});
  BOOST_TEST((out[0].kind == Kind::Added));
  BOOST_TEST(out[0].version == t0.to_string());
  BOOST_TEST((out[1].kind == Kind::Duplicate));
  db.clock.set(Timestamp::from_micros(kT0 + 60 * kSecond));
  const auto later = add(s, {obj("ipv4-addr", 1, 0, "x"), obj("ipv4-addr", 1, 0, "y")});
  BOOST_TEST((later[0].kind == Kind::Duplicate));
  BOOST_TEST(later[0].version == t0.to_string());
  BOOST_TEST((later[0].date_added == t0));
  BOOST_TEST((later[1].kind == Kind::Conflict));
  const auto all = scan(s, all_versions());
  BOOST_TEST_REQUIRE(all.size() == 1u);
  BOOST_TEST(all[0].version == "2023-11-14T22:13:20.123456Z");
  BOOST_TEST(all[0].version_key == "2023-11-14T22:13:20.123456000Z");
  BOOST_TEST(all[0].version_key == version_key_of(t0));
  // An exact match[version] finds it by that key.
  ObjectQuery q = query();
  q.last = false;
  q.version_keys = {version_key_of(t0)};
  BOOST_TEST(scan(s, q).size() == 1u);
}

BOOST_DATA_TEST_CASE(missing_collection_is_not_found_and_stores_nothing, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  auto r = s.add_objects(kC, {obj("indicator", 1, 1)});
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST((r.error().type() == StatusType::NotFound));
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  BOOST_TEST(scan(s, all_versions()).empty());
  BOOST_TEST(!s.added_range(kC)->has_value());
  BOOST_TEST(scan(s, all_versions(kOther)).empty());  // an unknown collection holds nothing
}

BOOST_DATA_TEST_CASE(added_range_is_first_and_last_date_added, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  const auto range = s.added_range(kC);
  BOOST_TEST_REQUIRE(range.ok());
  BOOST_TEST_REQUIRE(range->has_value());
  BOOST_TEST((*range)->first.micros() == kT0);
  BOOST_TEST((*range)->second.micros() == kT0 + 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(filters)

// TAXII 2.1 §3.4.1 default: the last version per id, of the highest spec version per id.
BOOST_DATA_TEST_CASE(default_is_last_of_the_highest_spec_version, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  // indicator 1: v3 (2.1); malware 2: only v1 is 2.1; indicator 3: only v1 is 2.1.
  BOOST_TEST(rows(scan(s, query())) == (std::vector<std::string>{"indicator03@01", "malware02@01", "indicator01@03"}));
  ObjectQuery q = query();
  q.spec_versions = {"2.0"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"malware02@02", "indicator03@02"}));
  q.spec_versions = {"2.0", "2.1"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@03", "malware02@02", "indicator03@02"}));
}

BOOST_DATA_TEST_CASE(first_last_exact_all, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  ObjectQuery q = all_versions();
  q.spec_versions = {"2.0", "2.1"};
  const auto all = scan(s, q);
  BOOST_TEST(all.size() == 7u);
  BOOST_TEST(in_keyset_order(all));
  q = query();
  q.spec_versions = {"2.0", "2.1"};
  q.last = false;
  q.first = true;
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator03@01", "malware02@01", "indicator01@01"}));
  q.last = true;  // first and last
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator03@01", "malware02@01", "indicator01@03",
                                                           "malware02@02", "indicator01@01", "indicator03@02"}));
  q.first = q.last = false;  // exact versions
  q.version_keys = {key(2), key(9)};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@02", "malware02@02", "indicator03@02"}));
  q.last = true;  // exact plus last
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@02", "indicator01@03", "malware02@02",
                                                           "indicator03@02"}));
}

BOOST_DATA_TEST_CASE(ids_types_and_their_combination, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  ObjectQuery q = all_versions();
  q.types = {"malware"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"malware02@01"}));  // 2.0 hidden by the default
  q.spec_versions = {"2.0", "2.1"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"malware02@01", "malware02@02"}));
  q.types = {"indicator", "tool"};
  q.ids = {obj("indicator", 3, 1).id, obj("malware", 2, 1).id};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator03@01", "indicator03@02"}));
  q.types.clear();
  BOOST_TEST(scan(s, q).size() == 4u);
  q.ids = {"indicator--nothing"};
  BOOST_TEST(scan(s, q).empty());
}

// TAXII 2.1 §3.4.1 read literally (docs/storage.md): `last` is the latest version among the rows
// left after added_after, so an older version added late is returned to an added_after poll.
BOOST_DATA_TEST_CASE(late_older_version_and_added_after, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  ObjectQuery q = query();
  q.added_after = Timestamp::from_micros(kT0 + 1);  // only add 3 is left
  q.spec_versions = {"2.1"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@01"}));
  // The default spec_version is the highest per id among what added_after left, too.
  q.spec_versions.clear();
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@01", "indicator03@02"}));
  q.added_after = Timestamp::from_micros(kT0);  // adds 2 and 3
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@03", "malware02@02", "indicator03@02"}));
  q.spec_versions = {"2.1"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@03"}));
  q.last = false;
  q.first = true;
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@01"}));
  q.added_after = Timestamp::from_micros(kT0 + 2);
  BOOST_TEST(scan(s, q).empty());
}

// Every filter at once, with the cursor and the limit applied last.
BOOST_DATA_TEST_CASE(filters_combined_with_cursor_and_limit, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  ObjectQuery q = all_versions();
  q.types = {"indicator"};
  q.ids = {obj("indicator", 1, 1).id, obj("indicator", 3, 1).id, obj("malware", 2, 1).id};
  q.added_after = Timestamp::from_micros(kT0);
  q.spec_versions = {"2.1", "2.0"};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@03", "indicator01@01", "indicator03@02"}));
  q.limit = 2;
  const auto first = scan(s, q);
  BOOST_TEST(rows(first) == (std::vector<std::string>{"indicator01@03", "indicator01@01"}));
  q.after = ObjectQuery::After{first.back().date_added, first.back().id, first.back().version_key};
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator03@02"}));
  q.after.reset();
  q.limit = 0;
  q.all_versions = false;
  q.last = false;
  q.version_keys = {key(1)};  // indicator 3's v1 was added at kT0: not after
  BOOST_TEST(rows(scan(s, q)) == (std::vector<std::string>{"indicator01@01"}));
  q.spec_versions = {"2.0"};
  BOOST_TEST(scan(s, q).empty());
}

BOOST_DATA_TEST_CASE(without_bodies, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  ObjectQuery q = query();
  q.with_body = false;
  const auto got = scan(s, q);
  BOOST_TEST_REQUIRE(got.size() == 3u);
  for (const auto& o : got) {
    BOOST_TEST(o.body.empty());
    BOOST_TEST(!o.version.empty());
    BOOST_TEST(o.type == o.id.substr(0, o.id.find("--")));
  }
  BOOST_TEST(scan(s, query())[0].body == obj("indicator", 3, 1).body);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(paging)

// Many rows share a date_added (one per add); paging by the keyset cursor with every limit
// from 1 to past the end visits every row exactly once, in order.
BOOST_DATA_TEST_CASE(keyset_over_ties_every_limit, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  for (int a = 0; a < 4; ++a) {
    std::vector<NewObject> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(obj(i % 2 ? "malware" : "indicator", 10 * (5 - i) + a % 2, 1 + a));
    (void)add(s, batch);
  }
  const auto everything = scan(s, all_versions());
  BOOST_TEST_REQUIRE(everything.size() == 20u);
  BOOST_TEST(in_keyset_order(everything));
  for (uint64_t limit = 1; limit <= 21; ++limit) {
    std::vector<StoredObject> paged;
    ObjectQuery q = all_versions();
    q.limit = limit;
    for (int page = 0; page < 30; ++page) {
      const auto got = scan(s, q);
      BOOST_TEST_REQUIRE(got.size() <= limit);
      paged.insert(paged.end(), got.begin(), got.end());
      if (got.size() < limit) break;
      q.after = ObjectQuery::After{got.back().date_added, got.back().id, got.back().version_key};
    }
    BOOST_TEST_REQUIRE(paged.size() == everything.size(), "limit " << limit);
    for (std::size_t i = 0; i < paged.size(); ++i) BOOST_TEST((triple(paged[i]) == triple(everything[i])));
  }
}

BOOST_DATA_TEST_CASE(visitor_may_stop, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  int calls = 0;
  BOOST_TEST(s.scan_objects(all_versions(), [&](StoredObject&) { return ++calls < 2; }).ok());
  BOOST_TEST(calls == 2);
}

// Memory stays flat whatever the result: 50 000 rows visited one by one (counted, not timed).
BOOST_DATA_TEST_CASE(large_scan_visits_every_row, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  constexpr int kRows = 50000, kPerAdd = 5000;
  for (int a = 0; a < kRows / kPerAdd; ++a) {
    std::vector<NewObject> batch;
    for (int i = 0; i < kPerAdd; ++i) batch.push_back(obj("indicator", a * kPerAdd + i, 1, std::string(200, 'x')));
    (void)add(s, batch);
  }
  for (const bool bodies : {false, true}) {
    ObjectQuery q = query();
    q.with_body = bodies;
    uint64_t visited = 0, bytes = 0;
    Triple last{};
    bool ordered = true;
    BOOST_TEST(s.scan_objects(q, [&](StoredObject& o) {
                  ordered = ordered && (visited == 0 || last < triple(o));
                  last = triple(o);
                  ++visited;
                  bytes += o.body.size();
                  return true;
                }).ok());
    BOOST_TEST(visited == uint64_t{kRows});
    BOOST_TEST(ordered);
    BOOST_TEST((bodies ? bytes > uint64_t{200} * kRows : bytes == 0u));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deleting)

BOOST_DATA_TEST_CASE(delete_by_id_and_by_version, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = three_adds(db);
  ObjectQuery q = all_versions();  // TAXII 2.1 §5.7: an object's versions (spec 2.0 ones too)
  q.ids = {obj("indicator", 3, 1).id};
  q.spec_versions = {"2.0", "2.1"};
  BOOST_TEST(s.delete_objects(q).value() == 2u);
  BOOST_TEST(s.delete_objects(q).value() == 0u);
  q = query();
  q.ids = {obj("indicator", 1, 1).id};
  q.last = false;
  q.version_keys = {key(2)};
  BOOST_TEST(s.delete_objects(q).value() == 1u);
  q.version_keys.clear();
  q.last = true;  // the last version: v3
  BOOST_TEST(s.delete_objects(q).value() == 1u);
  ObjectQuery left = all_versions();
  left.spec_versions = {"2.0", "2.1"};
  BOOST_TEST(rows(scan(s, left)) == (std::vector<std::string>{"malware02@01", "malware02@02", "indicator01@01"}));
  // The id's versions are gone from the SCO rule too: a new add is a new version.
  BOOST_TEST((add(s, {obj("indicator", 1, 2)})[0].kind == Kind::Added));
}

// The versions to delete are chosen before any goes: deleting `first` takes one version, not
// each in turn as it becomes the first.
BOOST_DATA_TEST_CASE(delete_first_takes_one_version, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  BOOST_TEST_REQUIRE(s.ensure_object_collection(kC).ok());
  for (int v = 1; v <= 3; ++v) (void)add(s, {obj("indicator", 1, v)});
  ObjectQuery q = query();
  q.last = false;
  q.first = true;
  BOOST_TEST(s.delete_objects(q).value() == 1u);
  BOOST_TEST(rows(scan(s, all_versions())) == (std::vector<std::string>{"indicator01@02", "indicator01@03"}));
  BOOST_TEST(s.delete_objects(all_versions(kOther)).value() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(statuses)

BOOST_DATA_TEST_CASE(put_get_replace_expire, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  Store& s = db.open();
  const auto status = [](std::string id, bool complete, int64_t updated) {
    StatusRecord r;
    r.id = std::move(id);
    r.api_root = "api1";
    r.owner = "alice";
    r.complete = complete;
    r.request_timestamp = Timestamp::from_micros(kT0);
    r.updated = Timestamp::from_micros(updated);
    r.body = R"({"id":")" + r.id + R"("})";
    return r;
  };
  BOOST_TEST(!s.get_status("a").value().has_value());
  BOOST_TEST(s.put_status(status("a", false, kT0)).ok());
  BOOST_TEST(s.put_status(status("b", true, kT0 + 10)).ok());
  BOOST_TEST(s.put_status(status("c", true, kT0 + 30)).ok());
  auto a = s.get_status("a").value();
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->api_root == "api1");
  BOOST_TEST(a->owner == "alice");
  BOOST_TEST(!a->complete);
  BOOST_TEST(a->request_timestamp.micros() == kT0);
  BOOST_TEST(a->body == R"({"id":"a"})");
  BOOST_TEST(s.put_status(status("a", true, kT0 + 20)).ok());  // replaced
  a = s.get_status("a").value();
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->complete);
  BOOST_TEST(a->updated.micros() == kT0 + 20);
  BOOST_TEST(s.put_status(status("p", false, kT0)).ok());  // pending: kept however old
  BOOST_TEST(s.expire_statuses(Timestamp::from_micros(kT0 + 25)).value() == 2u);
  BOOST_TEST(!s.get_status("a").value().has_value());
  BOOST_TEST(!s.get_status("b").value().has_value());
  BOOST_TEST(s.get_status("c").value().has_value());
  BOOST_TEST(s.get_status("p").value().has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(concurrency)

// TAXII 2.1 §3.3 with §5.5: date_added follows commit order, so a reader paging with the keyset
// cursor while writers add never misses a row. `stores` writers, each on its own store when the
// backend has several (two connection pools on one database: two taxiid instances).
void writers_and_a_reader(Db& db, int stores) {
  std::vector<Store*> s;
  for (int i = 0; i < stores; ++i) s.push_back(&db.open());
  BOOST_TEST_REQUIRE(s[0]->ensure_object_collection(kC).ok());
  db.clock.set(Timestamp::from_micros(kT0));  // a fixed clock: every add must step past the last
  constexpr int kWriters = 4, kAdds = 15, kPer = 3;
  std::atomic<int> running{kWriters};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      Store& mine = *s[static_cast<std::size_t>(w) % s.size()];
      for (int a = 0; a < kAdds; ++a) {
        std::vector<NewObject> batch;
        for (int i = 0; i < kPer; ++i) batch.push_back(obj("indicator", (w * kAdds + a) * kPer + i, 1));
        auto r = mine.add_objects(kC, batch);
        if (!r.ok() || (*r)[0].kind != Kind::Added) failed = true;
      }
      --running;
    });
  std::vector<StoredObject> seen;
  ObjectQuery q = all_versions();
  for (bool last_round = false;;) {
    const bool done = running.load() == 0;
    for (auto& o : scan(*s.back(), q)) seen.push_back(o);
    if (!seen.empty()) q.after = ObjectQuery::After{seen.back().date_added, seen.back().id, seen.back().version_key};
    if (last_round) break;
    last_round = done;
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(!failed.load());
  const auto all = scan(*s[0], all_versions());
  BOOST_TEST(all.size() == std::size_t{kWriters * kAdds * kPer});
  BOOST_TEST(seen.size() == all.size());  // nothing missed, nothing twice
  BOOST_TEST(in_keyset_order(seen));
  std::set<int64_t> dates;
  for (const auto& o : all) dates.insert(o.date_added.micros());
  BOOST_TEST(dates.size() == std::size_t{kWriters * kAdds});  // one per add, none shared
}

BOOST_DATA_TEST_CASE(concurrent_writers_on_one_collection, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  writers_and_a_reader(db, 1);
}

BOOST_DATA_TEST_CASE(two_stores_on_one_database, kSqlBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  writers_and_a_reader(db, 2);
}

BOOST_AUTO_TEST_SUITE_END()
