// What is particular to SqliteStore (the Store contract itself, run on both backends, is in
// storage/store_contract_test.cpp): "sqlite:" URIs, the write-ahead log and its background
// checkpoints, several processes on one file, kill -9 durability, and the memory bound of a
// scan that reads row by row. Every database lives in a fresh temporary directory.
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

std::unique_ptr<SqliteStore> open_or_die(const std::string& path) {
  auto r = SqliteStore::open(path);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? std::string() : r.error().message()));
  return std::move(r).value();
}

NewBlock block(std::string content) { return NewBlock{"urn:stix.mitre.org:xml:1.1.1", {}, std::move(content), {}}; }

std::vector<NewBlock> blocks(std::size_t n) {
  std::vector<NewBlock> out(n, block(""));
  for (std::size_t i = 0; i < n; ++i) out[i].content = "b" + std::to_string(i);
  return out;
}

ScanQuery query(std::string collection) { return ScanQuery{std::move(collection), {}, {}, {}, 0}; }

// Every block of collection "c", visited in order.
std::vector<StoredBlock> all_of_c(Store& s) {
  std::vector<StoredBlock> out;
  BOOST_TEST_REQUIRE(s.scan(query("c"), [&](const StoredBlock& b) { return out.push_back(b), true; }).ok());
  return out;
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

BOOST_AUTO_TEST_SUITE(one_file)

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
  const auto stored = all_of_c(*s2);
  BOOST_TEST(stored.size() == 300u);
  for (std::size_t i = 1; i < stored.size(); ++i) BOOST_TEST_REQUIRE(stored[i - 1].label < stored[i].label);
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
  for (const auto& b : all_of_c(*s)) stored.insert(b.content.substr(0, b.content.find('|')));
  BOOST_TEST(stored.size() >= std::size_t{acknowledged} + 1);
  for (uint32_t i = 0; i <= acknowledged; ++i)
    BOOST_TEST_REQUIRE(stored.count("k" + std::to_string(i)) == 1u);
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
