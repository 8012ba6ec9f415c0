// SqliteStore against the Store rules (store.hpp): labels, atomic and durable append, scan
// windows and filters, result sets. Every database lives in a fresh temporary directory.
#define BOOST_TEST_MODULE sqlite_store
#include <boost/test/unit_test.hpp>

#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/timestamp.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace fs = std::filesystem;
using namespace taxii;
using namespace taxii::storage;

namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = 1700000000 * kSecond;  // 2023-11-14T22:13:20Z

// A fresh directory under the system temporary directory, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("taxii-storage-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// A clock the test moves by hand.
struct ManualClock {
  std::atomic<int64_t> micros{kT0};
  SqliteStore::Options options() {
    SqliteStore::Options o;
    o.clock = [this] { return Timestamp::from_micros(micros.load()); };
    return o;
  }
};

std::unique_ptr<SqliteStore> open_or_die(const std::string& path,
                                         SqliteStore::Options o = SqliteStore::Options{}) {
  auto r = SqliteStore::open(path, std::move(o));
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
  return std::move(r).value();
}

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

ScanQuery query(std::string collection) {
  ScanQuery q;
  q.collection = std::move(collection);
  return q;
}

// Resident set size now, in kB (Linux /proc/self/statm).
long rss_kb() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(open_by_uri)

BOOST_AUTO_TEST_CASE(sqlite_uris_open) {
  TempDir dir;
  auto mem = open_store("sqlite::memory:");
  BOOST_TEST_REQUIRE(mem.ok());
  BOOST_TEST((*mem)->ensure_collection("c").ok());

  auto abs = open_store("sqlite://" + dir.file("abs.db"));  // "sqlite:///tmp/..."
  BOOST_TEST_REQUIRE(abs.ok());
  BOOST_TEST(fs::exists(dir.path / "abs.db"));

  const fs::path old = fs::current_path();
  fs::current_path(dir.path);
  fs::create_directories(dir.path / "sub");
  auto rel = open_store("sqlite://rel.db");
  auto rel2 = open_store("sqlite://sub/rel2.db");
  fs::current_path(old);
  BOOST_TEST_REQUIRE(rel.ok());
  BOOST_TEST_REQUIRE(rel2.ok());
  BOOST_TEST(fs::exists(dir.path / "rel.db"));
  BOOST_TEST(fs::exists(dir.path / "sub" / "rel2.db"));
}

BOOST_AUTO_TEST_CASE(other_uris_fail_without_echoing_credentials) {
  auto pg = open_store("postgresql://user:secret@db.example/taxii");
  BOOST_TEST_REQUIRE(!pg.ok());
  BOOST_TEST(pg.error().type() == StatusType::Failure);
  BOOST_TEST(pg.error().message().find("postgresql") != std::string::npos);
  BOOST_TEST(pg.error().message().find("secret") == std::string::npos);

  for (const char* bad : {"", "nonsense", "sqlite://", "sqlite:///", "sqlite:", "://x"}) {
    auto r = open_store(bad);
    BOOST_TEST_REQUIRE(!r.ok(), bad);
    BOOST_TEST(r.error().type() == StatusType::Failure);
    BOOST_TEST(!r.error().message().empty());
  }
}

BOOST_AUTO_TEST_CASE(unopenable_file_is_a_failure) {
  TempDir dir;
  auto r = SqliteStore::open(dir.file("no/such/dir/x.db"));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::Failure);
}

BOOST_AUTO_TEST_CASE(schema_is_applied_once) {
  TempDir dir;
  int64_t newest = 0;
  {
    auto s = open_or_die(dir.file("v.db"));
    auto v = s->schema_version();
    BOOST_TEST_REQUIRE(v.ok());
    newest = *v;
    BOOST_TEST(newest >= 2);  // 001_initial, 002_subscriptions, ...
  }
  auto s = open_or_die(dir.file("v.db"));  // reopening must not re-run any migration
  BOOST_TEST(*s->schema_version() == newest);
}

BOOST_AUTO_TEST_CASE(file_uses_a_write_ahead_log) {
  TempDir dir;
  { auto s = open_or_die(dir.file("wal.db")); }
  // SQLite file format: header bytes 18 and 19 (read/write versions) are 2 in WAL mode.
  std::ifstream f(dir.file("wal.db"), std::ios::binary);
  char header[20] = {};
  f.read(header, sizeof header);
  BOOST_TEST_REQUIRE(f.good());
  BOOST_TEST(int{header[18]} == 2);
  BOOST_TEST(int{header[19]} == 2);
}

// The WAL is checkpointed by the store's own thread (sqlite_checkpointer.hpp): while the
// store stays open, appended pages reach the database file without any commit having copied
// them (the writer checkpoints inline only past ~32 MB of WAL).
BOOST_AUTO_TEST_CASE(wal_is_checkpointed_in_the_background) {
  TempDir dir;
  const std::string path = dir.file("ckpt.db");
  auto s = open_or_die(path);
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  const std::string pad(4000, 'x');
  for (int a = 0; a < 60; ++a) {  // 60 x 50 x 4 KB: ~3,000 pages, 12 MB
    std::vector<NewBlock> bs;
    for (int i = 0; i < 50; ++i) bs.push_back(block(std::to_string(a) + "." + std::to_string(i) + pad));
    BOOST_TEST_REQUIRE(s->append({"c"}, bs).ok());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fs::file_size(path) < 8'000'000 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST(fs::file_size(path) >= 8'000'000u, "database file " << fs::file_size(path) << " bytes");
  BOOST_TEST(fs::file_size(path + "-wal") < 40'000'000u, "WAL " << fs::file_size(path + "-wal") << " bytes");
  BOOST_TEST(*s->count(query("c")) == 3000u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(collections)

BOOST_AUTO_TEST_CASE(ensure_is_idempotent) {
  auto s = open_or_die(":memory:");
  BOOST_TEST(!*s->has_collection("c"));
  BOOST_TEST(s->ensure_collection("c").ok());
  BOOST_TEST(s->ensure_collection("c").ok());
  BOOST_TEST(*s->has_collection("c"));
  BOOST_TEST(!*s->has_collection("C"));
  BOOST_TEST(s->ensure_collection("name with 'quotes'; DROP TABLE collections; --").ok());
  BOOST_TEST(*s->has_collection("name with 'quotes'; DROP TABLE collections; --"));
  BOOST_TEST(*s->has_collection("c"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(labels)

BOOST_AUTO_TEST_CASE(increase_within_one_append_and_across_appends) {
  TempDir dir;
  auto s = open_or_die(dir.file("l.db"));
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  std::vector<Timestamp> all = append_one(*s, "c", blocks(1000));
  BOOST_TEST(all.size() == 1000u);
  // Many tiny appends in a tight loop: several fall within one microsecond of the clock.
  for (int i = 0; i < 200; ++i) {
    auto ls = append_one(*s, "c", blocks(1));
    all.insert(all.end(), ls.begin(), ls.end());
  }
  BOOST_TEST(strictly_increasing(all));
  for (const auto& t : all) BOOST_TEST(t.offset_minutes() == 0);  // UTC
  const auto stored = scan_all(*s, query("c"));
  BOOST_TEST_REQUIRE(stored.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) BOOST_TEST(stored[i].label == all[i]);
}

BOOST_AUTO_TEST_CASE(same_microsecond_and_clock_going_back) {
  ManualClock clock;
  auto s = open_or_die(":memory:", clock.options());
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  const auto a = append_one(*s, "c", blocks(3));
  BOOST_TEST(a[0].micros() == kT0);  // max(now, nothing stored yet) = now
  BOOST_TEST(a[1].micros() == kT0 + 1);
  BOOST_TEST(a[2].micros() == kT0 + 2);
  const auto b = append_one(*s, "c", blocks(2));  // same microsecond
  BOOST_TEST(b[0].micros() == kT0 + 3);
  BOOST_TEST(b[1].micros() == kT0 + 4);
  clock.micros = kT0 - 3600 * kSecond;  // the clock steps back an hour
  const auto c = append_one(*s, "c", blocks(1));
  BOOST_TEST(c[0].micros() == kT0 + 5);
  clock.micros = kT0 + kSecond;  // and forward again: labels follow the clock
  const auto d = append_one(*s, "c", blocks(1));
  BOOST_TEST(d[0].micros() == kT0 + kSecond);
}

BOOST_AUTO_TEST_CASE(continue_from_the_stored_maximum_after_reopen) {
  TempDir dir;
  ManualClock clock;
  Timestamp last;
  {
    auto s = open_or_die(dir.file("r.db"), clock.options());
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    last = append_one(*s, "c", blocks(5)).back();
  }
  clock.micros = kT0 - kSecond;  // restarted with a clock behind the stored labels
  auto s = open_or_die(dir.file("r.db"), clock.options());
  const auto next = append_one(*s, "c", blocks(1));
  BOOST_TEST(next[0].micros() == last.micros() + 1);
}

BOOST_AUTO_TEST_CASE(are_per_collection_for_a_multi_collection_append) {
  ManualClock clock;
  auto s = open_or_die(":memory:", clock.options());
  BOOST_TEST_REQUIRE(s->ensure_collection("a").ok());
  BOOST_TEST_REQUIRE(s->ensure_collection("b").ok());
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
  const auto in_a = scan_all(*s, query("a"));
  BOOST_TEST(in_a.back().id < in_b.front().id);
}

BOOST_AUTO_TEST_CASE(unique_and_increasing_under_concurrent_appends) {
  TempDir dir;
  auto s = open_or_die(dir.file("conc.db"));
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
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
        auto r = s->append({"c"}, blocks(kPerAppend, "t" + std::to_string(t) + "-"));
        if (!r.ok()) {
          ++failures;
          continue;
        }
        got[t].insert(got[t].end(), (*r)[0].begin(), (*r)[0].end());
      }
    });
  // A reader alongside: every scan sees a strictly increasing sequence.
  std::thread reader([&] {
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
  BOOST_TEST(unique.size() == std::size_t{kThreads * kAppends * kPerAppend});
  BOOST_TEST(*s->count(query("c")) == std::size_t{kThreads * kAppends * kPerAppend});
  std::vector<Timestamp> stored;
  for (const auto& b : scan_all(*s, query("c"))) stored.push_back(b.label);
  BOOST_TEST(stored.size() == unique.size());
  BOOST_TEST(strictly_increasing(stored));
}

BOOST_AUTO_TEST_CASE(unique_and_increasing_with_two_stores_on_one_file) {
  // Two stores are two connections, as two taxiid processes would have.
  TempDir dir;
  auto s1 = open_or_die(dir.file("two.db"));
  auto s2 = open_or_die(dir.file("two.db"));
  BOOST_TEST_REQUIRE(s1->ensure_collection("c").ok());
  std::atomic<int> failures{0};
  auto work = [&](SqliteStore& s) {
    for (int i = 0; i < 50; ++i)
      if (!s.append({"c"}, blocks(3)).ok()) ++failures;
  };
  std::thread a(work, std::ref(*s1));
  std::thread b(work, std::ref(*s2));
  a.join();
  b.join();
  BOOST_TEST(failures == 0);
  std::vector<Timestamp> stored;
  for (const auto& blk : scan_all(*s2, query("c"))) stored.push_back(blk.label);
  BOOST_TEST(stored.size() == 300u);
  BOOST_TEST(strictly_increasing(stored));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(append)

BOOST_AUTO_TEST_CASE(is_atomic_when_a_collection_is_missing) {
  TempDir dir;
  auto s = open_or_die(dir.file("atomic.db"));
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
  auto ok = s->append({"a", "b"}, blocks(2));
  BOOST_TEST_REQUIRE(ok.ok());
  BOOST_TEST(*s->count(query("a")) == 2u);
}

BOOST_AUTO_TEST_CASE(of_nothing_is_fine) {
  auto s = open_or_die(":memory:");
  BOOST_TEST_REQUIRE(s->ensure_collection("a").ok());
  auto r = s->append({"a"}, {});
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST_REQUIRE(r->size() == 1u);
  BOOST_TEST((*r)[0].empty());
  BOOST_TEST(s->append({}, blocks(2)).ok());
  BOOST_TEST(*s->count(query("a")) == 0u);
  BOOST_TEST(!s->append({"nope"}, {}).ok());
}

BOOST_AUTO_TEST_CASE(survives_close_and_reopen) {
  TempDir dir;
  std::vector<Timestamp> labels;
  {
    auto s = open_or_die(dir.file("d.db"));
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    labels = append_one(*s, "c", blocks(25));
    ResultSet rs;
    rs.result_id = "r1";
    rs.collection = "c";
    rs.request = "<Poll_Request/>";
    rs.created = Timestamp::from_micros(kT0);
    BOOST_TEST_REQUIRE(s->put_result_set(rs).ok());
  }
  auto s = open_or_die(dir.file("d.db"));
  BOOST_TEST(*s->has_collection("c"));
  const auto stored = scan_all(*s, query("c"));
  BOOST_TEST_REQUIRE(stored.size() == 25u);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    BOOST_TEST(stored[i].label == labels[i]);
    BOOST_TEST(stored[i].content == "b" + std::to_string(i));
  }
  BOOST_TEST(**s->latest_label("c") == labels.back());
  auto rs = s->get_result_set("r1");
  BOOST_TEST_REQUIRE(rs.ok());
  BOOST_TEST_REQUIRE(rs->has_value());
  BOOST_TEST((*rs)->request == "<Poll_Request/>");
}

BOOST_AUTO_TEST_CASE(acknowledged_blocks_survive_kill_9) {
  TempDir dir;
  const std::string path = dir.file("kill.db");
  {
    auto s = open_or_die(path);
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  }
  int fds[2];
  BOOST_TEST_REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    // Appends until killed; reports each acknowledged append on the pipe.
    ::close(fds[0]);
    auto r = SqliteStore::open(path);
    if (!r.ok()) ::_exit(2);
    // 16 KB blocks: the WAL passes the background checkpoint threshold several times over,
    // so the kill may land during a checkpoint.
    const std::string pad(16000, 'p');
    for (uint32_t i = 0;; ++i) {
      if (!(*r)->append({"c"}, {block("k" + std::to_string(i) + "|" + pad)}).ok()) ::_exit(3);
      if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(4);
    }
  }
  ::close(fds[1]);
  uint32_t acknowledged = 0;
  int reports = 0;
  while (reports < 1000 && ::read(fds[0], &acknowledged, sizeof acknowledged) == sizeof acknowledged)
    ++reports;
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(fds[0]);
  BOOST_TEST_REQUIRE(reports == 1000);
  BOOST_TEST(WIFSIGNALED(status));

  auto s = open_or_die(path);
  std::set<std::string> stored;
  for (const auto& b : scan_all(*s, query("c"))) stored.insert(b.content.substr(0, b.content.find('|')));
  BOOST_TEST(stored.size() >= std::size_t{acknowledged} + 1);
  for (uint32_t i = 0; i <= acknowledged; ++i)
    BOOST_TEST_REQUIRE(stored.count("k" + std::to_string(i)) == 1u);
}

BOOST_AUTO_TEST_CASE(preserves_bytes_exactly) {
  TempDir dir;
  std::string big(std::size_t{1} << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131 + 7) % 256);
  std::vector<NewBlock> in = {
      block("<a>&amp;\xc3\xa9\r\n</a>"),
      block(std::string("nul\0inside", 10)),
      block(""),
      block(big),
      block("  leading and trailing space \t\n"),
  };
  in[0].subtype = "urn:x:subtype:\xc3\xa9";
  in[0].message = "a message\r\nwith 'quotes' and \"more\"";
  in[2].message = "";
  in[2].subtype = "";
  {
    auto s = open_or_die(dir.file("bytes.db"));
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    (void)append_one(*s, "c", in);
  }
  auto s = open_or_die(dir.file("bytes.db"));
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

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scan)

// Ten blocks at kT0 + 0 .. kT0 + 9 in collection "c", alternating bindings and subtypes.
struct TenBlocks {
  ManualClock clock;
  std::unique_ptr<SqliteStore> s = open_or_die(":memory:", clock.options());
  std::vector<Timestamp> labels;
  TenBlocks() {
    BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
    BOOST_TEST_REQUIRE(s->ensure_collection("other").ok());
    std::vector<NewBlock> bs;
    for (int i = 0; i < 10; ++i) {
      // binding: i%2 ? "B" : "A"; subtype: A blocks alternate none/"x"/"y"
      if (i % 2 == 1) {
        bs.push_back(block(std::to_string(i), "B"));
      } else {
        std::optional<std::string> sub;
        if (i % 3 == 1) sub = "x";
        if (i % 3 == 2) sub = "y";
        bs.push_back(block(std::to_string(i), "A", sub));
      }
    }
    labels = append_one(*s, "c", bs);
    (void)append_one(*s, "other", blocks(3, "o"));
  }
  Timestamp at(int i) const { return Timestamp::from_micros(kT0 + i); }
};
// A blocks: 0 (none), 2 (y), 4 (x), 6 (none), 8 (y). B blocks: 1 3 5 7 9.

BOOST_FIXTURE_TEST_CASE(window_is_exclusive_then_inclusive, TenBlocks) {
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

BOOST_FIXTURE_TEST_CASE(binding_filter, TenBlocks) {
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
  q.bindings = {{"' OR 1=1 --", {"') OR 1=1 --"}}};  // values are parameters, not SQL
  BOOST_TEST(scan_all(*s, q).empty());
  q.bindings = {{"A", {}}, {"A", {"x"}}};  // overlapping entries do not duplicate blocks
  q.after = at(3);
  BOOST_TEST(contents(scan_all(*s, q)) == (std::vector<std::string>{"4", "6", "8"}));
}

BOOST_FIXTURE_TEST_CASE(limit_early_stop_and_order, TenBlocks) {
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
  for (std::size_t i = 0; i < all.size(); ++i) {
    BOOST_TEST(all[i].label == labels[i]);
    BOOST_TEST(all[i].collection == "c");
    if (i > 0) BOOST_TEST(all[i - 1].id < all[i].id);
  }
}

BOOST_FIXTURE_TEST_CASE(unknown_collection_is_empty, TenBlocks) {
  BOOST_TEST(scan_all(*s, query("nope")).empty());
  BOOST_TEST(*s->count(query("nope")) == 0u);
  BOOST_TEST(!s->latest_label("nope")->has_value());
  BOOST_TEST(*s->volume_last_day("nope") == 0u);
}

BOOST_FIXTURE_TEST_CASE(callback_may_use_the_store, TenBlocks) {
  // No lock is held while calling back (even for the in-memory database).
  int visited = 0;
  BOOST_TEST(s->scan(query("c"), [&](const StoredBlock&) {
                ++visited;
                return s->count(query("other")).ok() && s->append({"other"}, blocks(1)).ok();
              }).ok());
  BOOST_TEST(visited == 10);
  BOOST_TEST(*s->count(query("other")) == 13u);
}

BOOST_AUTO_TEST_CASE(pages_across_batches_with_limit_and_filter) {
  auto s = open_or_die(":memory:");
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

BOOST_AUTO_TEST_CASE(large_contents_are_batched_by_size) {
  // 40 blocks of 1 MB: more than one batch's byte budget, all visited in order.
  auto s = open_or_die(":memory:");
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  for (int i = 0; i < 40; ++i)
    (void)append_one(*s, "c",
                     {block(std::string(std::size_t{1} << 20, static_cast<char>('a' + i % 26)))});
  int i = 0;
  bool ok = true;
  BOOST_TEST(s->scan(query("c"), [&](const StoredBlock& b) {
                ok = ok && b.content.size() == (std::size_t{1} << 20) &&
                     b.content[0] == static_cast<char>('a' + i % 26);
                ++i;
                return true;
              }).ok());
  BOOST_TEST(i == 40);
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(hundred_thousand_blocks_stream_with_bounded_memory) {
  TempDir dir;
  constexpr int kBlocks = 100000;
  constexpr std::size_t kSize = 512;
  auto s = open_or_die(dir.file("big.db"));
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());
  const auto ingest_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kBlocks / 1000; ++i) {
    std::vector<NewBlock> bs;
    for (int j = 0; j < 1000; ++j) {
      std::string content(kSize, 'x');
      const std::string n = std::to_string(i * 1000 + j);
      content.replace(0, n.size(), n);
      bs.push_back(block(std::move(content)));
    }
    BOOST_TEST_REQUIRE(s->append({"c"}, bs).ok());
  }
  BOOST_TEST_MESSAGE("ingest: " << kBlocks / seconds_since(ingest_start)
                                << " blocks/s in 1000-block appends");
  BOOST_TEST(*s->count(query("c")) == std::size_t{kBlocks});

  // Peak resident memory during the scan, against the level before it (earlier tests'
  // freed memory handed back first, so that it cannot hide growth).
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
  const long rss_before = rss_kb();
  long rss_peak = rss_before;
  int visited = 0;
  bool in_order = true;
  Timestamp prev;
  const auto scan_start = std::chrono::steady_clock::now();
  BOOST_TEST(s->scan(query("c"), [&](const StoredBlock& b) {
                in_order = in_order && (visited == 0 || prev < b.label) &&
                           b.content.compare(0, std::to_string(visited).size(),
                                             std::to_string(visited)) == 0;
                prev = b.label;
                if (++visited % 1000 == 0) rss_peak = std::max(rss_peak, rss_kb());
                return true;
              }).ok());
  BOOST_TEST(visited == kBlocks);
  BOOST_TEST(in_order);
  BOOST_TEST_MESSAGE("scan: " << kBlocks / seconds_since(scan_start) << " blocks/s; resident "
                              << rss_before << " kB before, peak " << rss_peak << " kB");
#if !defined(__SANITIZE_ADDRESS__)
  // All contents together are ~50 MB; a batch holds at most 500 blocks (~0.25 MB).
  BOOST_TEST(rss_peak - rss_before < long{kBlocks} * long{kSize} / 1024 / 4);
#endif

  int early = 0;
  BOOST_TEST(s->scan(query("c"), [&](const StoredBlock&) { return ++early < 10; }).ok());
  BOOST_TEST(early == 10);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(collection_facts)

BOOST_AUTO_TEST_CASE(latest_label_and_volume_last_day) {
  ManualClock clock;
  auto s = open_or_die(":memory:", clock.options());
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

BOOST_AUTO_TEST_CASE(round_trip_parts_and_expiry) {
  TempDir dir;
  auto s = open_or_die(dir.file("rs.db"));
  BOOST_TEST_REQUIRE(s->ensure_collection("c").ok());

  ResultSet old;
  old.result_id = "urn:uuid:old";
  old.collection = "c";
  old.request = std::string("<Poll_Request>\0</Poll_Request>", 30);
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

  auto got = s->get_result_set("urn:uuid:old");
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
  auto f = s->get_result_set("urn:uuid:fresh");
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

  auto part = s->get_result_part(old.result_id, 2);
  BOOST_TEST_REQUIRE(part.ok());
  BOOST_TEST_REQUIRE(part->has_value());
  BOOST_TEST((*part)->part_number == 2u);
  BOOST_TEST(((*part)->after == p2.after));
  BOOST_TEST(((*part)->last_label == old.until));
  BOOST_TEST(((*s->get_result_part(old.result_id, 1))->last_label == p1.last_label));
  BOOST_TEST(!s->get_result_part(old.result_id, 3)->has_value());
  BOOST_TEST(!s->get_result_part("urn:uuid:none", 1)->has_value());

  // A part of an unknown result set, or a set of an unknown collection, is refused.
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
