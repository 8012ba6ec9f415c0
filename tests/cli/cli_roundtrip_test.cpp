// `taxii push` of 10,000 STIX 1.1.1 files, then `taxii poll --output-dir`, against a real taxiid:
// every file comes back byte-identical (issue #5, "Done when"; docs/cli.md "Byte-exact round
// trip"). The files are 2.8-4.2 KB indicator packages in the forms people keep them
// (tests/cli/stix_files.hpp): with the standard declaration, canonical or pretty-printed (sent
// as markup), without declaration and with CR LF, or with a BOM (sent as text).
// The poll runs with stderr on a pseudo-terminal, which must show the progress line; the push
// with stderr in a file, which must stay empty.
#define BOOST_TEST_MODULE cli_roundtrip
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "tests/cli/cli_runner.hpp"
#include "tests/cli/stix_files.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::clitest;
namespace fs = std::filesystem;

namespace {

constexpr int kFiles = 10'000;

// The form client/content.hpp picks: markup for the canonical files, text for the others.
bool travels_as_text(int i) { return i % 11 == 5 || i % 13 == 8; }

std::string file_name(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "stix-%05d.xml", i);
  return name;
}

// Compares every file of `dir` (sorted by name: the six-digit block index first) with the
// originals; returns the number of differences, reporting the first few.
int compare_dir(const fs::path& dir) {
  std::vector<fs::path> got;
  for (const auto& e : fs::directory_iterator(dir)) got.push_back(e.path());
  std::sort(got.begin(), got.end());
  BOOST_TEST_REQUIRE(got.size() == static_cast<size_t>(kFiles));
  int bad = 0;
  uint64_t bytes = 0;
  for (int i = 0; i < kFiles; ++i) {
    const std::string data = slurp(got[static_cast<size_t>(i)].string());
    bytes += data.size();
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%06d_", i + 1);
    const bool same = data == realistic_stix(i) && got[static_cast<size_t>(i)].filename().string().rfind(prefix, 0) == 0;
    if (!same && ++bad <= 5) BOOST_ERROR(got[static_cast<size_t>(i)].filename() << " differs from " << file_name(i));
  }
  BOOST_TEST_MESSAGE("compared " << kFiles << " files, " << bytes << " bytes, " << bad << " different");
  return bad;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_stix_files_come_back_byte_identical) {
  const auto t0 = std::chrono::steady_clock::now();
  wire::ServerSpec spec;
  spec.part_size = 500;
  spec.max_body_bytes = 4 << 20;
  wire::TaxiidProcess server(spec);
  wire::TempDir dir;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.http_port()) + "/services/";
  const fs::path in = dir.file("in"), out = dir.file("out");
  fs::create_directories(in);
  uint64_t total = 0;
  int as_text = 0;
  for (int i = 0; i < kFiles; ++i) {
    const std::string s = realistic_stix(i);
    total += s.size();
    as_text += travels_as_text(i);
    spit((in / file_name(i)).string(), s);
  }
  BOOST_TEST_MESSAGE("generated " << kFiles << " files, " << total << " bytes");

  // push with stderr in a file: no progress line, nothing on stderr at all.
  RunOptions plain;
  plain.deadline = std::chrono::seconds(600);
  Run p = taxii_cli({"push", "--url", base + "inbox", "--batch", "100", "--json", in.string()}, plain);
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  BOOST_TEST_MESSAGE("push: " << p.seconds << " s");
  BOOST_TEST(p.err.empty(), p.err);
  auto pj = json_of(p);
  BOOST_TEST(pj->getValue<int>("blocks") == kFiles);
  BOOST_TEST(pj->getValue<int>("messages") == kFiles / 100);
  BOOST_TEST(pj->getValue<uint64_t>("bytes") == total);
  auto files = pj->getArray("files");
  BOOST_TEST_REQUIRE(files->size() == static_cast<size_t>(kFiles));
  int wrong_form = 0;
  for (unsigned i = 0; i < files->size(); ++i)
    wrong_form += files->getObject(i)->getValue<std::string>("as") != (travels_as_text(static_cast<int>(i)) ? "text" : "xml");
  BOOST_TEST(wrong_form == 0);
  BOOST_TEST(as_text > 1000);  // both paths are exercised in earnest (1,608 of 10,000 as text)

  // poll with stderr on a terminal: the progress line (drawn after the first second, at most
  // four times a second) and its erasure at the end.
  RunOptions tty = plain;
  tty.stderr_tty = true;
  Run r = taxii_cli({"poll", "--url", base + "poll", "-c", "default", "--output-dir", out.string()}, tty);
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  BOOST_TEST_MESSAGE("poll: " << r.seconds << " s");
  BOOST_TEST(r.out.rfind(std::to_string(kFiles) + " blocks (", 0) == 0u, r.out);
  BOOST_TEST(contains(r.out, " MiB) written to " + out.string() + "\n"), r.out);
  if (r.seconds > 1.5) {
    BOOST_TEST(contains(r.err, "\r\033[Kpoll: "), r.err);
    BOOST_TEST(contains(r.err, " blocks, "), r.err);
    BOOST_TEST(contains(r.err, " MiB/s"), r.err);
    BOOST_TEST(r.err.size() >= 7u);
    BOOST_TEST(r.err.substr(r.err.size() - 4) == "\r\033[K", r.err);  // erased at the end
  }
  BOOST_TEST(compare_dir(out) == 0);
  BOOST_TEST_MESSAGE("whole test: " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
}
