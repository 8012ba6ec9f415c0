// The Store contract (store.hpp), backend-independent: every case runs on SQLite (a fresh
// temporary file) and on PostgreSQL (a fresh schema in the database named by
// TAXII_TEST_POSTGRES_URI; without it the PostgreSQL runs report SKIP and pass).
// tools/postgres.sh starts a throwaway server and prints such a URI.
#define BOOST_TEST_MODULE store_contract
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/timestamp.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "storage/test_store.hpp"

namespace fs = std::filesystem;
namespace data = boost::unit_test::data;
using namespace taxii;
using namespace taxii::storage;

enum class Backend { Sqlite, Postgres };
std::ostream& operator<<(std::ostream& os, Backend b) {
  return os << (b == Backend::Sqlite ? "sqlite" : "postgres");
}

namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = 1700000000 * kSecond;  // 2023-11-14T22:13:20Z
const auto kBackends = data::make({Backend::Sqlite, Backend::Postgres});

using Clock = std::function<Timestamp()>;

// A fresh, empty database for one test case: a file in a new temporary directory, or a
// new PostgreSQL schema (dropped afterwards). open() may be called again: a "restart".
class Db {
 public:
  explicit Db(Backend b) : backend_(b) {
    if (backend_ == Backend::Postgres) {
      if (!testing::postgres_uri().empty()) schema_ = std::make_unique<testing::ScratchSchema>("contract");
      return;
    }
    static std::atomic<int> counter{0};
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("taxii-contract-" + std::to_string(::getpid()) + "_" +
                                        std::to_string(++counter) + "_" + std::to_string(rd() % 100000));
    fs::create_directories(dir_);
  }
  ~Db() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  bool available() const { return backend_ == Backend::Sqlite || schema_ != nullptr; }

  std::unique_ptr<SqlStore> open(Clock clock = {}) {
    if (!clock) clock = &Timestamp::now;
    if (backend_ == Backend::Sqlite) {
      SqliteStore::Options o;
      o.clock = std::move(clock);
      auto r = SqliteStore::open((dir_ / "store.db").string(), std::move(o));
      BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
      return std::move(r).value();
    }
    PostgresStore::Options o;
    o.clock = std::move(clock);
    o.schema = schema_->name();
    auto r = PostgresStore::open(testing::postgres_uri(), std::move(o));
    BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
    return std::move(r).value();
  }

 private:
  Backend backend_;
  fs::path dir_;
  std::unique_ptr<testing::ScratchSchema> schema_;
};

#define REQUIRE_BACKEND(db)                                                         \
  do {                                                                              \
    if (!(db).available()) {                                                        \
      BOOST_TEST_MESSAGE("SKIP postgres backend: TAXII_TEST_POSTGRES_URI not set"); \
      BOOST_TEST(true);                                                             \
      return;                                                                       \
    }                                                                               \
  } while (false)

// A clock the test moves by hand.
struct ManualClock {
  std::atomic<int64_t> micros{kT0};
  Clock fn() {
    return [this] { return Timestamp::from_micros(micros.load()); };
  }
};

NewBlock block(std::string content, std::string binding = "urn:stix.mitre.org:xml:1.1.1",
               std::optional<std::string> subtype = std::nullopt) {
  NewBlock b;
  b.binding_id = std::move(binding);
  b.subtype = std::move(subtype);
  b.content = std::move(content);
  return b;
}

std::vector<NewBlock> blocks(std::size_t n, const std::string& prefix = "b") {
  std::vector<NewBlock> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(block(prefix + std::to_string(i)));
  return out;
}

std::vector<Timestamp> append_one(Store& s, const std::string& collection,
                                  const std::vector<NewBlock>& bs) {
  auto r = s.append({collection}, bs);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
  BOOST_TEST_REQUIRE(r->size() == 1u);
  return (*r)[0];
}

ScanQuery query(std::string collection) {
  ScanQuery q;
  q.collection = std::move(collection);
  return q;
}

std::vector<StoredBlock> scan_all(Store& s, const ScanQuery& q) {
  std::vector<StoredBlock> out;
  auto st = s.scan(q, [&](const StoredBlock& b) {
    out.push_back(b);
    return true;
  });
  BOOST_TEST_REQUIRE(st.ok());
  return out;
}

std::vector<std::string> contents(const std::vector<StoredBlock>& bs) {
  std::vector<std::string> out;
  for (const auto& b : bs) out.push_back(b.content);
  return out;
}

bool strictly_increasing(const std::vector<Timestamp>& ts) {
  for (std::size_t i = 1; i < ts.size(); ++i)
    if (!(ts[i - 1] < ts[i])) return false;
  return true;
}

std::vector<Timestamp> stored_labels(Store& s, const std::string& collection) {
  std::vector<Timestamp> out;
  for (const auto& b : scan_all(s, query(collection))) out.push_back(b.label);
  return out;
}

// Ten blocks at kT0 + 0 .. kT0 + 9 in "c" (and three in "other"):
// A blocks: 0 (no subtype), 2 (y), 4 (x), 6 (none), 8 (y). B blocks: 1 3 5 7 9.
std::unique_ptr<Store> ten_blocks(Db& db, ManualClock& clock) {
  auto s = db.open(clock.fn());
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("other").ok());
  std::vector<NewBlock> bs;
  for (int i = 0; i < 10; ++i) {
    if (i % 2 == 1) {
      bs.push_back(block(std::to_string(i), "B"));
    } else {
      std::optional<std::string> sub;
      if (i % 3 == 1) sub = "x";
      if (i % 3 == 2) sub = "y";
      bs.push_back(block(std::to_string(i), "A", sub));
    }
  }
  (void)append_one(*s, "c", bs);
  (void)append_one(*s, "other", blocks(3, "o"));
  return s;
}

Timestamp at(int i) { return Timestamp::from_micros(kT0 + i); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(collections)

BOOST_DATA_TEST_CASE(schema_is_applied_once, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  int64_t newest = 0;
  {
    auto s = db.open();
    newest = *s->schema_version();
    BOOST_TEST(newest >= 3);  // 001_initial, 002_subscriptions, 003_accounts, ...
    BOOST_TEST(s->ensure_collection("c").ok());
  }
  auto s = db.open();  // reopening must not re-run any migration
  BOOST_TEST(*s->schema_version() == newest);
  BOOST_TEST(*s->has_collection("c"));
}

BOOST_DATA_TEST_CASE(ensure_is_idempotent, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST(!*s->has_collection("c"));
  BOOST_TEST(s->ensure_collection("c").ok());
  BOOST_TEST(s->ensure_collection("c").ok());
  BOOST_TEST(*s->has_collection("c"));
  BOOST_TEST(!*s->has_collection("C"));
  const std::string odd = "name with 'quotes' $1 \"x\"; DROP TABLE collections; --";
  BOOST_TEST(s->ensure_collection(odd).ok());
  BOOST_TEST(*s->has_collection(odd));
  BOOST_TEST(*s->has_collection("c"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(labels)

BOOST_DATA_TEST_CASE(increase_within_one_append_and_across_appends, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  std::vector<Timestamp> all = append_one(*s, "c", blocks(1000));
  BOOST_TEST(all.size() == 1000u);
  // Many tiny appends in a tight loop: several fall within one microsecond of the clock.
  for (int i = 0; i < 200; ++i) {
    auto ls = append_one(*s, "c", blocks(1));
    all.insert(all.end(), ls.begin(), ls.end());
  }
  BOOST_TEST(strictly_increasing(all));
  for (const auto& t : all) BOOST_TEST_REQUIRE(t.offset_minutes() == 0);  // UTC
  const auto stored = scan_all(*s, query("c"));
  BOOST_TEST_REQUIRE(stored.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) BOOST_TEST_REQUIRE(stored[i].label == all[i]);
}

BOOST_DATA_TEST_CASE(same_microsecond_and_clock_going_back, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = db.open(clock.fn());
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  const auto a = append_one(*s, "c", blocks(3));
  BOOST_TEST(a[0].micros() == kT0);  // max(now, nothing stored yet) = now
  BOOST_TEST(a[2].micros() == kT0 + 2);
  const auto b = append_one(*s, "c", blocks(2));  // same microsecond
  BOOST_TEST(b[0].micros() == kT0 + 3);
  BOOST_TEST(b[1].micros() == kT0 + 4);
  clock.micros = kT0 - 3600 * kSecond;  // the clock steps back an hour
  BOOST_TEST(append_one(*s, "c", blocks(1))[0].micros() == kT0 + 5);
  clock.micros = kT0 + kSecond;  // and forward again: labels follow the clock
  BOOST_TEST(append_one(*s, "c", blocks(1))[0].micros() == kT0 + kSecond);
}

BOOST_DATA_TEST_CASE(continue_from_the_stored_maximum_after_reopen, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  Timestamp last;
  {
    auto s = db.open(clock.fn());
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    last = append_one(*s, "c", blocks(5)).back();
  }
  clock.micros = kT0 - kSecond;  // restarted with a clock behind the stored labels
  auto s = db.open(clock.fn());
  BOOST_TEST(append_one(*s, "c", blocks(1))[0].micros() == last.micros() + 1);
}

BOOST_DATA_TEST_CASE(are_per_collection_for_a_multi_collection_append, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = db.open(clock.fn());
  BOOST_TEST_REQUIRE(s->ensure_collection("b").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("a").ok());
  (void)append_one(*s, "a", blocks(10));  // a is ahead of b
  auto r = s->append({"a", "b"}, blocks(3));
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  BOOST_TEST((*r)[0][0].micros() == kT0 + 10);
  BOOST_TEST((*r)[1][0].micros() == kT0);
  BOOST_TEST((*r)[1][2].micros() == kT0 + 2);
  BOOST_TEST(*s->count(query("a")) == 13u);
  BOOST_TEST(*s->count(query("b")) == 3u);
  const auto in_b = scan_all(*s, query("b"));
  BOOST_TEST_REQUIRE(in_b.size() == 3u);
  BOOST_TEST(in_b[0].collection == "b");
  BOOST_TEST(in_b[0].content == "b0");
  // ids are store-wide and grow with insertion
  BOOST_TEST(scan_all(*s, query("a")).back().id < in_b.front().id);
}

BOOST_DATA_TEST_CASE(unique_and_increasing_under_concurrent_appends, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("d").ok());
  constexpr int kThreads = 8;
  constexpr int kAppends = 40;
  constexpr int kPerAppend = 5;
  std::vector<std::vector<Timestamp>> got(kThreads);
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::atomic<int> unordered_scans{0};
  std::atomic<int> scans{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        // Half the threads name both collections, in both orders (no deadlock allowed).
        std::vector<std::string> names = {"c"};
        if (t % 2 == 1)
          names = i % 2 ? std::vector<std::string>{"c", "d"} : std::vector<std::string>{"d", "c"};
        auto r = s->append(names, blocks(kPerAppend, "t" + std::to_string(t) + "-"));
        if (!r.ok()) {
          ++failures;
          continue;
        }
        const auto& mine = (*r)[names[0] == "c" ? 0 : 1];
        got[t].insert(got[t].end(), mine.begin(), mine.end());
      }
    });
  std::thread reader([&] {  // every scan alongside sees a strictly increasing sequence
    do {
      std::vector<Timestamp> seen;
      auto st = s->scan(query("c"), [&](const StoredBlock& b) {
        seen.push_back(b.label);
        return true;
      });
      if (!st.ok() || !strictly_increasing(seen)) ++unordered_scans;
      ++scans;
    } while (writing);
  });
  for (auto& th : threads) th.join();
  writing = false;
  reader.join();
  BOOST_TEST(failures == 0);
  BOOST_TEST(unordered_scans == 0);
  BOOST_TEST(scans > 0);
  std::set<int64_t> unique;
  for (const auto& v : got) {
    BOOST_TEST(strictly_increasing(v));
    for (const auto& t : v) unique.insert(t.micros());
  }
  constexpr std::size_t kTotal = std::size_t{kThreads} * kAppends * kPerAppend;
  BOOST_TEST(unique.size() == kTotal);
  BOOST_TEST(*s->count(query("c")) == kTotal);
  BOOST_TEST(*s->count(query("d")) == kTotal / 2);
  const auto stored = stored_labels(*s, "c");
  BOOST_TEST(stored.size() == unique.size());
  BOOST_TEST(strictly_increasing(stored));
}

// Two store instances on one database are two taxiid processes. 8 writer threads append to
// one collection while a poller repeatedly asks for blocks after the last label it has
// seen, as a TAXII client polling with Exclusive_Begin_Timestamp does. If a block could
// commit after a block with a later label, the poller would step over it for good.
BOOST_DATA_TEST_CASE(two_instances_and_a_poller_never_miss_a_block, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s1 = db.open();
  auto s2 = db.open();
  auto poll_store = db.open();
  BOOST_TEST_REQUIRE(s1->ensure_collection("c").ok());
  BOOST_TEST_REQUIRE(s2->ensure_collection("c").ok());  // idempotent across instances
  constexpr int kThreads = 8;
  constexpr int kAppends = 60;
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::mutex acked_mu;
  std::map<std::string, int64_t> acked;  // content -> label returned by append
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] {
      Store& s = t % 2 == 0 ? *s1 : *s2;
      for (int i = 0; i < kAppends; ++i) {
        const std::size_t n = 1 + static_cast<std::size_t>((t + i) % 3);
        auto bs = blocks(n, "t" + std::to_string(t) + "a" + std::to_string(i) + "-");
        auto r = s.append({"c"}, bs);
        if (!r.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(acked_mu);
        for (std::size_t k = 0; k < n; ++k) acked[bs[k].content] = (*r)[0][k].micros();
      }
    });
  std::vector<StoredBlock> polled;
  int polls = 0;
  std::atomic<int> poll_failures{0};
  auto poll_once = [&] {  // no Boost.Test assertion here: it runs on another thread
    ScanQuery q = query("c");
    if (!polled.empty()) q.after = polled.back().label;
    if (!poll_store
             ->scan(q,
                    [&](const StoredBlock& b) {
                      polled.push_back(b);
                      return true;
                    })
             .ok())
      ++poll_failures;
    ++polls;
  };
  std::thread poller([&] {
    while (writing) poll_once();
  });
  for (auto& w : writers) w.join();
  writing = false;
  poller.join();
  poll_once();  // after the last commit: everything must have been seen exactly once

  BOOST_TEST(failures == 0);
  BOOST_TEST(poll_failures == 0);
  BOOST_TEST_MESSAGE(backend << ": " << polls << " polls over " << acked.size() << " blocks");
  std::vector<Timestamp> labels;
  std::set<std::string> seen;
  bool labels_match = true;
  for (const auto& b : polled) {
    labels.push_back(b.label);
    BOOST_TEST_REQUIRE(seen.insert(b.content).second, "polled twice: " << b.content);
    const auto it = acked.find(b.content);
    labels_match = labels_match && it != acked.end() && it->second == b.label.micros();
  }
  BOOST_TEST(strictly_increasing(labels));
  BOOST_TEST(labels_match);
  BOOST_TEST(polled.size() == acked.size());  // none missed
  BOOST_TEST(*s1->count(query("c")) == acked.size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(append)

BOOST_DATA_TEST_CASE(is_atomic_when_a_collection_is_missing, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("a").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("b").ok());
  auto r = s->append({"a", "missing", "b"}, blocks(4));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::NotFound);
  BOOST_TEST(r.error().message().find("missing") != std::string::npos);
  BOOST_TEST(*s->count(query("a")) == 0u);
  BOOST_TEST(*s->count(query("b")) == 0u);
  BOOST_TEST(!s->latest_label("a")->has_value());
  // The store is still usable afterwards (the transaction was rolled back).
  BOOST_TEST_REQUIRE(s->append({"a", "b"}, blocks(2)).ok());
  BOOST_TEST(*s->count(query("a")) == 2u);
}

BOOST_DATA_TEST_CASE(of_nothing_is_fine, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("a").ok());
  auto r = s->append({"a"}, {});
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST_REQUIRE(r->size() == 1u);
  BOOST_TEST((*r)[0].empty());
  BOOST_TEST(s->append({}, blocks(2)).ok());
  BOOST_TEST(*s->count(query("a")) == 0u);
  BOOST_TEST(!s->append({"nope"}, {}).ok());
}

BOOST_DATA_TEST_CASE(survives_close_and_reopen, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  std::vector<Timestamp> labels;
  {
    auto s = db.open();
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    labels = append_one(*s, "c", blocks(25));
    ResultSet rs;
    rs.result_id = "r1";
    rs.collection = "c";
    rs.request = "<Poll_Request/>";
    rs.created = Timestamp::from_micros(kT0);
    BOOST_TEST_REQUIRE(s->put_result_set(rs).ok());
  }
  auto s = db.open();
  BOOST_TEST(*s->has_collection("c"));
  BOOST_TEST((stored_labels(*s, "c") == labels));
  BOOST_TEST(contents(scan_all(*s, query("c"))).back() == "b24");
  BOOST_TEST(**s->latest_label("c") == labels.back());
  auto rs = s->get_result_set("r1");
  BOOST_TEST_REQUIRE(rs.ok());
  BOOST_TEST_REQUIRE(rs->has_value());
  BOOST_TEST((*rs)->request == "<Poll_Request/>");
}

BOOST_DATA_TEST_CASE(preserves_bytes_exactly, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  std::string big(std::size_t{1} << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131 + 7) % 256);
  std::vector<NewBlock> in = {
      block("<a>&amp;\xc3\xa9\r\n</a>"),
      block(std::string("nul\0inside", 10)),
      block(""),
      block(big),
      block("  leading and trailing space \t\n"),
      block(std::string("\0", 1)),
  };
  in[0].subtype = "urn:x:subtype:\xc3\xa9";
  in[0].message = "a message\r\nwith 'quotes' and \"more\" and $1";
  in[2].message = "";
  in[2].subtype = "";
  {
    auto s = db.open();
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    (void)append_one(*s, "c", in);
  }
  auto s = db.open();  // read back by a fresh instance
  const auto out = scan_all(*s, query("c"));
  BOOST_TEST_REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    BOOST_TEST(out[i].content.size() == in[i].content.size());
    BOOST_TEST((out[i].content == in[i].content), "content of block " << i);
    BOOST_TEST(out[i].binding_id == in[i].binding_id);
    BOOST_TEST((out[i].subtype == in[i].subtype), "subtype of block " << i);
    BOOST_TEST((out[i].message == in[i].message), "message of block " << i);
  }
}

BOOST_DATA_TEST_CASE(ingest_speed_in_100_block_appends, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  constexpr int kAppends = 50;
  std::vector<NewBlock> bs;
  for (int i = 0; i < 100; ++i) bs.push_back(block(std::string(1024, 'x')));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kAppends; ++i) BOOST_TEST_REQUIRE(s->append({"c"}, bs).ok());
  const double secs = seconds_since(start);
  BOOST_TEST_MESSAGE(backend << " ingest: " << kAppends * 100 / secs << " blocks/s, "
                             << secs * 1000 / kAppends << " ms per 100-block append (1 KiB)");
  BOOST_TEST(*s->count(query("c")) == std::size_t{kAppends} * 100);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scan)

BOOST_DATA_TEST_CASE(window_is_exclusive_then_inclusive, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = ten_blocks(db, clock);
  ScanQuery q = query("c");
  q.after = at(2);
  q.until = at(5);
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"3", "4", "5"}));
  BOOST_TEST(*s->count(q) == 3u);
  q.after.reset();
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  q.after = at(7);
  q.until.reset();
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"8", "9"}));
  q.after = at(9);
  BOOST_TEST(scan_all(*s, q).empty());
  q.after = at(5);
  q.until = at(5);
  BOOST_TEST(scan_all(*s, q).empty());
  q.after = at(6);
  q.until = at(4);
  BOOST_TEST(scan_all(*s, q).empty());
  BOOST_TEST(*s->count(q) == 0u);
}

BOOST_DATA_TEST_CASE(binding_filter, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = ten_blocks(db, clock);
  ScanQuery q = query("c");
  q.bindings = {{"A", {}}};  // no subtypes: any subtype, including none
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"0", "2", "4", "6", "8"}));
  q.bindings = {{"A", {"y"}}};
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"2", "8"}));
  BOOST_TEST(*s->count(q) == 2u);
  q.bindings = {{"A", {"x", "y"}}};
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"2", "4", "8"}));
  q.bindings = {{"A", {"x"}}, {"B", {}}};
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"1", "3", "4", "5", "7", "9"}));
  BOOST_TEST(*s->count(q) == 6u);
  q.bindings = {{"B", {"x"}}};  // B blocks have no subtype
  BOOST_TEST(scan_all(*s, q).empty());
  q.bindings = {{"C", {}}};
  BOOST_TEST(scan_all(*s, q).empty());
  BOOST_TEST(*s->count(q) == 0u);
  q.bindings = {{"' OR 1=1 --", {"') OR 1=1 --", "$1"}}};  // values are parameters, not SQL
  BOOST_TEST(scan_all(*s, q).empty());
  q.bindings = {{"A", {}}, {"A", {"x"}}};  // overlapping entries do not duplicate blocks
  q.after = at(3);
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"4", "6", "8"}));
}

BOOST_DATA_TEST_CASE(limit_early_stop_and_order, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = ten_blocks(db, clock);
  ScanQuery q = query("c");
  q.limit = 4;
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"0", "1", "2", "3"}));
  BOOST_TEST(*s->count(q) == 4u);
  q.limit = 100;
  BOOST_TEST(scan_all(*s, q).size() == 10u);
  BOOST_TEST(*s->count(q) == 10u);
  q.limit = 0;
  int visited = 0;
  BOOST_TEST(s->scan(q, [&](const StoredBlock&) { return ++visited < 3; }).ok());
  BOOST_TEST(visited == 3);
  const auto all = scan_all(*s, q);
  BOOST_TEST_REQUIRE(all.size() == 10u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    BOOST_TEST(all[i].label == at(static_cast<int>(i)));
    BOOST_TEST(all[i].collection == "c");
    if (i > 0) BOOST_TEST(all[i - 1].id < all[i].id);
  }
}

BOOST_DATA_TEST_CASE(unknown_collection_is_empty, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = ten_blocks(db, clock);
  BOOST_TEST(scan_all(*s, query("nope")).empty());
  BOOST_TEST(*s->count(query("nope")) == 0u);
  BOOST_TEST(!s->latest_label("nope")->has_value());
  BOOST_TEST(*s->volume_last_day("nope") == 0u);
}

BOOST_DATA_TEST_CASE(callback_may_use_the_store, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = ten_blocks(db, clock);
  int visited = 0;  // no lock or connection is held while calling back
  BOOST_TEST(s->scan(query("c"), [&](const StoredBlock&) {
                ++visited;
                return s->count(query("other")).ok() && s->append({"other"}, blocks(1)).ok();
              }).ok());
  BOOST_TEST(visited == 10);
  BOOST_TEST(*s->count(query("other")) == 13u);
}

BOOST_DATA_TEST_CASE(pages_across_batches_with_limit_and_filter, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  std::vector<NewBlock> bs;
  for (int i = 0; i < 2600; ++i) bs.push_back(block(std::to_string(i), i % 2 ? "B" : "A"));
  (void)append_one(*s, "c", bs);
  ScanQuery q = query("c");
  q.bindings = {{"A", {}}};
  q.limit = 1201;
  const auto got = scan_all(*s, q);
  BOOST_TEST_REQUIRE(got.size() == 1201u);
  for (std::size_t i = 0; i < got.size(); ++i)
    BOOST_TEST_REQUIRE(got[i].content == std::to_string(2 * i));
  BOOST_TEST(*s->count(q) == 1201u);
  q.limit = 0;
  BOOST_TEST(scan_all(*s, q).size() == 1300u);
  BOOST_TEST(*s->count(q) == 1300u);
}

BOOST_DATA_TEST_CASE(large_contents_are_batched_by_size, kBackends, backend) {
  // 12 blocks of 1 MB: more than one batch's byte budget, all visited in order.
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  for (int i = 0; i < 12; ++i)
    (void)append_one(*s, "c",
                     {block(std::string(std::size_t{1} << 20, static_cast<char>('a' + i)))});
  int i = 0;
  bool ok = true;
  BOOST_TEST(s->scan(query("c"), [&](const StoredBlock& b) {
                ok = ok && b.content.size() == (std::size_t{1} << 20) &&
                     b.content[0] == static_cast<char>('a' + i) && b.content.back() == b.content[0];
                ++i;
                return true;
              }).ok());
  BOOST_TEST(i == 12);
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(collection_facts)

BOOST_DATA_TEST_CASE(latest_label_and_volume_last_day, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = db.open(clock.fn());
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  BOOST_TEST_REQUIRE(s->latest_label("c").ok());
  BOOST_TEST(!s->latest_label("c")->has_value());
  BOOST_TEST(*s->volume_last_day("c") == 0u);
  (void)append_one(*s, "c", blocks(5));
  BOOST_TEST(*s->volume_last_day("c") == 5u);
  clock.micros = kT0 + 25 * 3600 * kSecond;
  BOOST_TEST(*s->volume_last_day("c") == 0u);
  const auto later = append_one(*s, "c", blocks(2));
  BOOST_TEST(*s->volume_last_day("c") == 2u);
  BOOST_TEST(**s->latest_label("c") == later.back());
  BOOST_TEST(later.back().micros() == kT0 + 25 * 3600 * kSecond + 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(result_sets)

BOOST_DATA_TEST_CASE(round_trip_parts_and_expiry, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  ResultSet old;
  old.result_id = "urn:uuid:old";
  old.collection = "c";
  old.request = std::string("<Poll_Request>\0\xff</Poll_Request>", 31);
  old.total_count = 2500;
  old.part_size = 1000;
  old.after = Timestamp::from_micros(kT0 - kSecond);
  old.until = Timestamp::from_micros(kT0 + kSecond);
  old.created = Timestamp::from_micros(kT0);
  ResultSet fresh;
  fresh.result_id = "urn:uuid:fresh";
  fresh.collection = "c";
  fresh.created = Timestamp::from_micros(kT0 + 3600 * kSecond);  // no window, empty request
  BOOST_TEST_REQUIRE(s->put_result_set(old).ok());
  BOOST_TEST_REQUIRE(s->put_result_set(fresh).ok());

  auto other = db.open();  // another instance serves what this one stored
  auto got = other->get_result_set("urn:uuid:old");
  BOOST_TEST_REQUIRE(got.ok());
  BOOST_TEST_REQUIRE(got->has_value());
  const ResultSet& g = **got;
  BOOST_TEST(g.result_id == old.result_id);
  BOOST_TEST(g.collection == "c");
  BOOST_TEST((g.request == old.request));
  BOOST_TEST(g.total_count == 2500u);
  BOOST_TEST(g.part_size == 1000u);
  BOOST_TEST((g.after == old.after));
  BOOST_TEST((g.until == old.until));
  BOOST_TEST(g.created == old.created);
  auto f = other->get_result_set("urn:uuid:fresh");
  BOOST_TEST_REQUIRE(f->has_value());
  BOOST_TEST(!(*f)->after.has_value());
  BOOST_TEST(!(*f)->until.has_value());
  BOOST_TEST((*f)->request.empty());
  BOOST_TEST(!s->get_result_set("urn:uuid:none")->has_value());

  // Putting again replaces (and keeps the parts).
  ResultPart p1{1, old.after, Timestamp::from_micros(kT0)};
  ResultPart p2{2, Timestamp::from_micros(kT0), std::nullopt};
  BOOST_TEST_REQUIRE(s->put_result_part(old.result_id, p1).ok());
  BOOST_TEST_REQUIRE(s->put_result_part(old.result_id, p2).ok());
  p2.last_label = old.until;
  BOOST_TEST_REQUIRE(s->put_result_part(old.result_id, p2).ok());  // recorded again: updated
  old.total_count = 2600;
  BOOST_TEST_REQUIRE(s->put_result_set(old).ok());
  BOOST_TEST((*s->get_result_set(old.result_id))->total_count == 2600u);
  BOOST_TEST_REQUIRE(s->put_result_part(fresh.result_id, p1).ok());

  auto part = other->get_result_part(old.result_id, 2);
  BOOST_TEST_REQUIRE(part.ok());
  BOOST_TEST_REQUIRE(part->has_value());
  BOOST_TEST((*part)->part_number == 2u);
  BOOST_TEST(((*part)->after == p2.after));
  BOOST_TEST(((*part)->last_label == old.until));
  BOOST_TEST(((*s->get_result_part(old.result_id, 1))->last_label == p1.last_label));
  BOOST_TEST(!s->get_result_part(old.result_id, 3)->has_value());
  BOOST_TEST(!s->get_result_part("urn:uuid:none", 1)->has_value());

  // A part of an unknown result set, or a set of an unknown collection, is refused with a
  // neutral message.
  const auto orphan = s->put_result_part("urn:uuid:none", p1);
  BOOST_TEST_REQUIRE(!orphan.ok());
  BOOST_TEST(orphan.error().type() == StatusType::Failure);
  BOOST_TEST(orphan.error().message().find("INSERT") == std::string::npos);
  ResultSet stray = fresh;
  stray.result_id = "urn:uuid:stray";
  stray.collection = "no-such-collection";
  BOOST_TEST(!s->put_result_set(stray).ok());

  // Expiry drops sets created before the cutoff, with their parts.
  auto dropped = s->expire_result_sets(Timestamp::from_micros(kT0 + kSecond));
  BOOST_TEST_REQUIRE(dropped.ok());
  BOOST_TEST(*dropped == 1u);
  BOOST_TEST(!s->get_result_set(old.result_id)->has_value());
  BOOST_TEST(!s->get_result_part(old.result_id, 1)->has_value());
  BOOST_TEST(s->get_result_set(fresh.result_id)->has_value());
  BOOST_TEST(s->get_result_part(fresh.result_id, 1)->has_value());
  BOOST_TEST(*s->expire_result_sets(Timestamp::from_micros(kT0 + kSecond)) == 0u);
  BOOST_TEST(*s->expire_result_sets(Timestamp::from_micros(kT0 + 7200 * kSecond)) == 1u);
  BOOST_TEST(!s->get_result_part(fresh.result_id, 1)->has_value());
}

BOOST_AUTO_TEST_SUITE_END()

// --- Subscriptions and push outbox (issue #6) -------------------------------------------------

namespace {

Subscription subscription(std::string id, std::string collection, std::string key, bool push = true) {
  Subscription s;
  s.id = std::move(id);
  s.collection = std::move(collection);
  s.owner = "alice";
  s.spec_key = std::move(key);
  s.parameters = std::string("params\0\xff", 8);
  if (push) s.push = PushTarget{"urn:taxii.mitre.org:protocol:http:1.0", "http://127.0.0.1:1/inbox",
                                "urn:taxii.mitre.org:message:xml:1.1"};
  s.created = Timestamp::from_micros(kT0);
  return s;
}

ClaimLease lease(std::string worker, int64_t now_us, int64_t seconds = 60) {
  return {std::move(worker), Timestamp::from_micros(now_us), Timestamp::from_micros(now_us + seconds * kSecond)};
}

std::vector<std::string> ids_of(const std::vector<Subscription>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.id);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subscriptions)

BOOST_DATA_TEST_CASE(create_identical_list_state_delete, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("d").ok());
  Subscription a = subscription("urn:uuid:a", "c", "k1");
  a.push_cursor = Timestamp::from_micros(kT0 - 5);
  auto created = s->create_subscription(a);
  BOOST_TEST_REQUIRE(created.ok(), (created.ok() ? "" : created.error().message()));
  BOOST_TEST(created->id == "urn:uuid:a");

  // Services 1.1 §4.4.6 rule 5: an identical subscription is not duplicated.
  Subscription again = subscription("urn:uuid:a2", "c", "k1");
  auto existing = s->create_subscription(again);
  BOOST_TEST_REQUIRE(existing.ok());
  BOOST_TEST(existing->id == "urn:uuid:a");
  BOOST_TEST((existing->parameters == a.parameters));
  // Another owner, key or collection is another subscription.
  Subscription other_owner = subscription("urn:uuid:b", "c", "k1");
  other_owner.owner = "bob";
  BOOST_TEST(s->create_subscription(other_owner)->id == "urn:uuid:b");
  BOOST_TEST(s->create_subscription(subscription("urn:uuid:c", "c", "k2", false))->id == "urn:uuid:c");
  BOOST_TEST(s->create_subscription(subscription("urn:uuid:d", "d", "k1"))->id == "urn:uuid:d");
  auto missing = s->create_subscription(subscription("urn:uuid:x", "nope", "k1"));
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.error().type() == StatusType::NotFound);

  auto other = db.open();  // another instance sees them
  auto got = other->get_subscription("urn:uuid:a");
  BOOST_TEST_REQUIRE(got.ok());
  BOOST_TEST_REQUIRE(got->has_value());
  const Subscription& g = **got;
  BOOST_TEST(g.collection == "c");
  BOOST_TEST(g.owner == "alice");
  BOOST_TEST(g.spec_key == "k1");
  BOOST_TEST((g.state == SubscriptionState::Active));
  BOOST_TEST((g.parameters == a.parameters));
  BOOST_TEST_REQUIRE(g.push.has_value());
  BOOST_TEST((*g.push == *a.push));
  BOOST_TEST(g.created == a.created);
  BOOST_TEST((g.push_cursor == a.push_cursor));
  BOOST_TEST(!g.poll_cursor.has_value());
  BOOST_TEST(g.attempts == 0u);
  BOOST_TEST(!(*other->get_subscription("urn:uuid:c"))->push.has_value());
  BOOST_TEST(!other->get_subscription("urn:uuid:none")->has_value());

  auto mine = other->list_subscriptions("c", "alice");
  BOOST_TEST_REQUIRE(mine.ok());
  BOOST_TEST((ids_of(*mine) == std::vector<std::string>{"urn:uuid:a", "urn:uuid:c"}));
  BOOST_TEST(other->list_subscriptions("c", "nobody")->empty());

  BOOST_TEST(*s->set_subscription_state("urn:uuid:a", SubscriptionState::Paused));
  BOOST_TEST(((*other->get_subscription("urn:uuid:a"))->state == SubscriptionState::Paused));
  BOOST_TEST(*s->set_subscription_state("urn:uuid:a", SubscriptionState::Paused));  // unchanged, still there
  BOOST_TEST(!*s->set_subscription_state("urn:uuid:none", SubscriptionState::Active));

  // The poll cursor only moves forward.
  BOOST_TEST(s->advance_poll_cursor("urn:uuid:c", Timestamp::from_micros(kT0 + 10)).ok());
  BOOST_TEST(s->advance_poll_cursor("urn:uuid:c", Timestamp::from_micros(kT0 + 3)).ok());
  BOOST_TEST(((*s->get_subscription("urn:uuid:c"))->poll_cursor == Timestamp::from_micros(kT0 + 10)));
  BOOST_TEST(s->advance_poll_cursor("urn:uuid:none", Timestamp::from_micros(kT0)).ok());

  BOOST_TEST(*s->delete_subscription("urn:uuid:a"));
  BOOST_TEST(!*s->delete_subscription("urn:uuid:a"));
  BOOST_TEST(!other->get_subscription("urn:uuid:a")->has_value());
  // Once deleted, an identical SUBSCRIBE creates a new one.
  BOOST_TEST(s->create_subscription(again)->id == "urn:uuid:a2");
}

BOOST_DATA_TEST_CASE(push_outbox_claims_leases_and_cursor, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  ManualClock clock;
  auto s = db.open(clock.fn());
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  BOOST_TEST_REQUIRE(s->create_subscription(subscription("urn:uuid:p", "c", "k1")).ok());
  BOOST_TEST_REQUIRE(s->create_subscription(subscription("urn:uuid:polled", "c", "k2", false)).ok());
  Subscription paused = subscription("urn:uuid:paused", "c", "k3");
  paused.state = SubscriptionState::Paused;
  BOOST_TEST_REQUIRE(s->create_subscription(paused).ok());

  const int64_t t = kT0 + 100 * kSecond;
  BOOST_TEST(s->claim_push_work(lease("w1", t), 10)->empty());  // nothing to deliver yet
  const auto labels = append_one(*s, "c", blocks(3));
  auto claimed = s->claim_push_work(lease("w1", t), 10);
  BOOST_TEST_REQUIRE(claimed.ok());
  BOOST_TEST((ids_of(*claimed) == std::vector<std::string>{"urn:uuid:p"}));  // not paused, not polled
  BOOST_TEST(!(*claimed)[0].push_cursor.has_value());

  auto other = db.open(clock.fn());
  BOOST_TEST(other->claim_push_work(lease("w2", t + kSecond), 10)->empty());  // leased by w1
  BOOST_TEST(!*other->complete_push("urn:uuid:p", "w2", labels[2]));         // not w2's lease
  BOOST_TEST(*s->complete_push("urn:uuid:p", "w1", labels[1]));
  BOOST_TEST(((*s->get_subscription("urn:uuid:p"))->push_cursor == labels[1]));
  BOOST_TEST(!*s->complete_push("urn:uuid:p", "w1", labels[2]));  // the lease was released

  // One block left above the cursor: claimable again, by anyone.
  claimed = other->claim_push_work(lease("w2", t + kSecond), 10);
  BOOST_TEST_REQUIRE(claimed->size() == 1u);
  BOOST_TEST(((*claimed)[0].push_cursor == labels[1]));
  BOOST_TEST(*other->fail_push("urn:uuid:p", "w2", Timestamp::from_micros(t + 30 * kSecond), "refused"));
  auto failed = *s->get_subscription("urn:uuid:p");
  BOOST_TEST(failed->attempts == 1u);
  BOOST_TEST(failed->last_error.value_or("") == "refused");
  BOOST_TEST(failed->next_attempt.micros() == t + 30 * kSecond);
  BOOST_TEST(s->claim_push_work(lease("w1", t + 29 * kSecond), 10)->empty());  // not due yet
  claimed = s->claim_push_work(lease("w1", t + 30 * kSecond), 10);
  BOOST_TEST_REQUIRE(claimed->size() == 1u);
  BOOST_TEST((*claimed)[0].attempts == 1u);
  BOOST_TEST(*s->fail_push("urn:uuid:p", "w1", Timestamp::from_micros(t + 31 * kSecond), "again"));
  BOOST_TEST((*s->get_subscription("urn:uuid:p"))->attempts == 2u);

  // An expired lease is taken over: w1 claims, stalls past its lease; w2 takes the work.
  claimed = s->claim_push_work(lease("w1", t + 40 * kSecond, 5), 10);
  BOOST_TEST_REQUIRE(claimed->size() == 1u);
  BOOST_TEST(other->claim_push_work(lease("w2", t + 44 * kSecond), 10)->empty());
  BOOST_TEST(other->claim_push_work(lease("w2", t + 45 * kSecond), 10)->size() == 1u);
  BOOST_TEST(!*s->complete_push("urn:uuid:p", "w1", labels[2]));  // w1 lost it: nothing moves
  BOOST_TEST(*other->complete_push("urn:uuid:p", "w2", labels[2]));
  auto done = *s->get_subscription("urn:uuid:p");
  BOOST_TEST((done->push_cursor == labels[2]));
  BOOST_TEST(done->attempts == 0u);
  BOOST_TEST(!done->last_error.has_value());
  BOOST_TEST(s->claim_push_work(lease("w1", t + 50 * kSecond), 10)->empty());  // all delivered
  // The cursor never goes back.
  (void)append_one(*s, "c", blocks(1));
  BOOST_TEST_REQUIRE(s->claim_push_work(lease("w1", t + 51 * kSecond), 10)->size() == 1u);
  BOOST_TEST(*s->complete_push("urn:uuid:p", "w1", labels[0]));
  BOOST_TEST(((*s->get_subscription("urn:uuid:p"))->push_cursor == labels[2]));

  // A resumed subscription delivers what arrived while it was paused; a deleted one is gone.
  BOOST_TEST(*s->set_subscription_state("urn:uuid:paused", SubscriptionState::Active));
  claimed = s->claim_push_work(lease("w1", t + 52 * kSecond), 10);
  BOOST_TEST((ids_of(*claimed) == std::vector<std::string>{"urn:uuid:p", "urn:uuid:paused"}));
  BOOST_TEST(*s->delete_subscription("urn:uuid:paused"));
  BOOST_TEST(!*s->complete_push("urn:uuid:paused", "w1", labels[2]));
  BOOST_TEST(!*s->fail_push("urn:uuid:paused", "w1", Timestamp::from_micros(t), "x"));
}

BOOST_DATA_TEST_CASE(concurrent_claims_never_share_a_subscription, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s1 = db.open();
  auto s2 = db.open();
  BOOST_TEST_REQUIRE(s1->ensure_collection("c").ok());
  constexpr int kSubs = 40;
  for (int i = 0; i < kSubs; ++i)
    BOOST_TEST_REQUIRE(s1->create_subscription(subscription("urn:uuid:" + std::to_string(i), "c",
                                                            "k" + std::to_string(i))).ok());
  (void)append_one(*s1, "c", blocks(1));
  std::mutex mu;
  std::map<std::string, std::string> owner;  // subscription -> worker
  std::atomic<int> duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      Store& s = w % 2 == 0 ? *s1 : *s2;
      const std::string me = "w" + std::to_string(w);
      for (int round = 0; round < 10; ++round) {
        auto got = s.claim_push_work(lease(me, kT0), 3);
        if (!got.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& sub : *got)
          if (!owner.emplace(sub.id, me).second) ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(failures == 0);
  BOOST_TEST(duplicates == 0);
  BOOST_TEST(owner.size() == std::size_t{kSubs});  // every one was claimed exactly once
}

BOOST_DATA_TEST_CASE(async_results_round_trip_claim_and_expiry, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  AsyncResult r;
  r.result_id = "urn:taxii-async:1";
  r.collection = "c";
  r.request = std::string("filter\0\n", 8);
  r.after = Timestamp::from_micros(kT0);
  r.until = Timestamp::from_micros(kT0 + kSecond);
  r.part_size = 100;
  r.count_only = true;
  r.estimated_count = 250;
  r.delivery = PushTarget{"urn:taxii.mitre.org:protocol:https:1.0", "https://127.0.0.1:1/inbox",
                          "urn:taxii.mitre.org:message:xml:1.0"};
  r.created = Timestamp::from_micros(kT0);
  BOOST_TEST_REQUIRE(s->put_async_result(r).ok());
  AsyncResult pull = r;
  pull.result_id = "urn:taxii-async:2";
  pull.delivery.reset();
  pull.created = Timestamp::from_micros(kT0 + 3600 * kSecond);
  BOOST_TEST_REQUIRE(s->put_async_result(pull).ok());
  AsyncResult stray = r;
  stray.collection = "nope";
  BOOST_TEST(s->put_async_result(stray).error().type() == StatusType::NotFound);

  auto other = db.open();
  auto got = other->get_async_result(r.result_id);
  BOOST_TEST_REQUIRE(got.ok());
  BOOST_TEST_REQUIRE(got->has_value());
  const AsyncResult& g = **got;
  BOOST_TEST((g.request == r.request));
  BOOST_TEST((g.after == r.after));
  BOOST_TEST((g.until == r.until));
  BOOST_TEST(g.part_size == 100u);
  BOOST_TEST(g.count_only);
  BOOST_TEST(g.estimated_count == 250u);
  BOOST_TEST((g.delivery && *g.delivery == *r.delivery));
  BOOST_TEST((g.state == AsyncState::Building));
  BOOST_TEST(g.created == r.created);
  BOOST_TEST(!other->get_async_result("urn:taxii-async:none")->has_value());

  // Both are being built: claimable once, by one worker.
  auto claimed = s->claim_async_work(lease("w1", kT0 + kSecond), 10);
  BOOST_TEST_REQUIRE(claimed->size() == 2u);
  BOOST_TEST(other->claim_async_work(lease("w2", kT0 + kSecond), 10)->empty());
  AsyncResult built = (*claimed)[0];
  BOOST_TEST_REQUIRE(built.result_id == r.result_id);
  built.state = AsyncState::Ready;
  built.total_parts = 3;
  BOOST_TEST(!*other->release_async_result(built, "w2"));
  BOOST_TEST(*s->release_async_result(built, "w1"));
  AsyncResult failed = (*claimed)[1];
  failed.state = AsyncState::Failed;
  failed.last_error = "the collection changed";
  BOOST_TEST(*s->release_async_result(failed, "w1"));
  BOOST_TEST(((*other->get_async_result(pull.result_id))->state == AsyncState::Failed));
  BOOST_TEST((*other->get_async_result(pull.result_id))->last_error.value_or("") == "the collection changed");

  // Ready with a delivery target and parts to push: claimable until every part is pushed.
  claimed = other->claim_async_work(lease("w2", kT0 + 2 * kSecond), 10);
  BOOST_TEST_REQUIRE(claimed->size() == 1u);
  AsyncResult pushing = (*claimed)[0];
  BOOST_TEST(pushing.total_parts == 3u);
  pushing.parts_pushed = 2;
  pushing.attempts = 1;
  pushing.next_attempt = Timestamp::from_micros(kT0 + 10 * kSecond);
  BOOST_TEST(*other->release_async_result(pushing, "w2"));
  BOOST_TEST(s->claim_async_work(lease("w1", kT0 + 9 * kSecond), 10)->empty());
  claimed = s->claim_async_work(lease("w1", kT0 + 10 * kSecond), 10);
  BOOST_TEST_REQUIRE(claimed->size() == 1u);
  BOOST_TEST((*claimed)[0].parts_pushed == 2u);
  pushing = (*claimed)[0];
  pushing.parts_pushed = 3;
  BOOST_TEST(*s->release_async_result(pushing, "w1"));
  BOOST_TEST(s->claim_async_work(lease("w1", kT0 + 11 * kSecond), 10)->empty());

  auto dropped = s->expire_async_results(Timestamp::from_micros(kT0 + kSecond));
  BOOST_TEST_REQUIRE(dropped.ok());
  BOOST_TEST(*dropped == 1u);
  BOOST_TEST(!s->get_async_result(r.result_id)->has_value());
  BOOST_TEST(s->get_async_result(pull.result_id)->has_value());
}

BOOST_DATA_TEST_CASE(append_from_source_skips_what_was_received, kBackends, backend) {
  Db db(backend);
  REQUIRE_BACKEND(db);
  auto s = db.open();
  BOOST_TEST_REQUIRE(s->ensure_collection("a").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("b").ok());
  auto L = [](int i) { return std::optional<Timestamp>(Timestamp::from_micros(kT0 + i)); };
  SourceMark m{"subscription:c\nurn:uuid:1", {L(1), L(2), L(3)}, L(3)};
  auto first = s->append_from_source({"a", "b"}, blocks(3, "x"), m);
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST(first->appended == 3u);
  BOOST_TEST(first->skipped == 0u);
  // The same message again (its SUCCESS was lost): nothing stored twice.
  auto again = s->append_from_source({"a", "b"}, blocks(3, "x"), m);
  BOOST_TEST(again->appended == 0u);
  BOOST_TEST(again->skipped == 3u);
  // A re-cut batch overlapping the last one, and a block without a label (never skipped).
  SourceMark next{m.source, {L(3), L(4), std::nullopt}, L(9)};
  auto overlap = db.open()->append_from_source({"a"}, blocks(3, "y"), next);
  BOOST_TEST(overlap->appended == 2u);
  BOOST_TEST(overlap->skipped == 1u);
  BOOST_TEST((contents(scan_all(*s, query("a"))) == std::vector<std::string>{"x0", "x1", "x2", "y1", "y2"}));
  BOOST_TEST(*s->count(query("b")) == 3u);
  // The mark rose to the message's Inclusive_End (9), not only to the labels seen.
  SourceMark late{m.source, {L(8), L(10)}, L(10)};
  BOOST_TEST(s->append_from_source({"a"}, blocks(2, "z"), late)->appended == 1u);
  // Another source has its own mark.
  SourceMark fresh{"result:urn:taxii-async:1", {L(1)}, std::nullopt};
  BOOST_TEST(s->append_from_source({"a"}, blocks(1, "r"), fresh)->appended == 1u);
  // A failing append changes nothing, the mark included.
  SourceMark lost{"subscription:c\nurn:uuid:2", {L(5)}, L(5)};
  auto missing = s->append_from_source({"a", "nope"}, blocks(1, "n"), lost);
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.error().type() == StatusType::NotFound);
  BOOST_TEST(s->append_from_source({"a"}, blocks(1, "n"), lost)->appended == 1u);
  BOOST_TEST(*s->count(query("a")) == 8u);
}

BOOST_AUTO_TEST_SUITE_END()
