// The `taxii` binary against a real taxiid on 127.0.0.1 (tests/wire/wire_support.hpp starts
// it): discover, collections, push then poll in TAXII 1.1 and 1.0, --count-only, multi-part
// following, fulfill, a byte-exact push/poll round trip of 200 STIX files, --json documents
// (parsed with Poco::JSON), HTTPS options, and the exit codes of docs/cli.md.
#define BOOST_TEST_MODULE cli_wire
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tests/wire/wire_support.hpp"

extern char** environ;

using namespace taxii;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

// Runs `taxii args...` with stdout and stderr captured in files.
Run taxii_cli(const std::vector<std::string>& args, const std::string& stdin_file = "/dev/null") {
  static int n = 0;
  const std::string base = fs::temp_directory_path().string() + "/cli-wire-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  const std::string out = base + ".out", err = base + ".err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, stdin_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all = {TAXII_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  Run r;
  if (posix_spawn(&pid, all[0].c_str(), &fa, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

Poco::JSON::Object::Ptr json_of(const Run& r) {
  try {
    return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    BOOST_FAIL("not one JSON document: " + e.displayText() + "\n" + r.out + "\n" + r.err);
  }
  return nullptr;
}

std::string dump(const Run& r) { return "exit " + std::to_string(r.code) + "\nstdout: " + r.out + "\nstderr: " + r.err; }

// A port nobody listens on (bound, then closed).
uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// STIX files as people keep them: with the standard declaration and a trailing newline, either
// in the canonical form XML parsers write (travels as markup) or pretty-printed with one
// namespace declaration per line (travels as text).
std::string stix_file(int i) {
  const std::string id = std::to_string(i);
  if (i % 3 == 0)
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" "
           "xmlns:indicator=\"http://stix.mitre.org/Indicator-2\" id=\"example:Package-" + id + "\" version=\"1.2\">\n"
           "  <stix:Indicators>\n    <stix:Indicator id=\"example:indicator-" + id + "\">\n"
           "      <indicator:Title>Indicator " + id + " &amp; friends</indicator:Title>\n"
           "    </stix:Indicator>\n  </stix:Indicators>\n</stix:STIX_Package>\n";
  if (i % 3 == 1)
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<stix:STIX_Package\n    xmlns:stix=\"http://stix.mitre.org/stix-1\"\n"
           "    xmlns:indicator='http://stix.mitre.org/Indicator-2'\n    id=\"example:Package-" + id + "\" version=\"1.1.1\">\n"
           "    <stix:STIX_Header><stix:Title>Package " + id + " > 0</stix:Title></stix:STIX_Header>\n"
           "    <stix:Indicators/>\n</stix:STIX_Package>\n";
  return "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" id=\"example:Package-" + id +
         "\" version=\"1.2\"><stix:STIX_Header><stix:Title>no declaration " + id + "</stix:Title></stix:STIX_Header>"
         "</stix:STIX_Package>\r\n";
}

struct Server {
  explicit Server(uint64_t part_size = 5) : proc([part_size] {
    wire::ServerSpec s;
    s.part_size = part_size;
    return s;
  }()) {}
  std::string url(const std::string& service) const {
    return "http://127.0.0.1:" + std::to_string(proc.http_port()) + "/services/" + service;
  }
  wire::TaxiidProcess proc;
  wire::TempDir dir;
};

const std::vector<std::string> kVersions = {"1.1", "1.0"};

}  // namespace

BOOST_AUTO_TEST_SUITE(services)

BOOST_DATA_TEST_CASE(discover_lists_the_services, boost::unit_test::data::make(kVersions), version_arg) {
  const std::string version = version_arg;  // not a dependent type below
  Server s;
  auto r = taxii_cli({"discover", "--url", s.url("discovery"), "--taxii", version});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  BOOST_TEST(r.out.find("POLL") != std::string::npos);
  BOOST_TEST(r.out.find(s.url("inbox")) != std::string::npos);
  auto j = taxii_cli({"discover", "--url", s.url("discovery"), "--taxii", version, "--json"});
  BOOST_TEST_REQUIRE(j.code == 0, dump(j));
  auto doc = json_of(j);
  BOOST_TEST(doc->getValue<bool>("ok"));
  auto services = doc->getArray("services");
  bool poll = false;
  for (size_t i = 0; i < services->size(); ++i) {
    auto si = services->getObject(static_cast<unsigned>(i));
    if (si->getValue<std::string>("type") == "POLL" && si->getValue<std::string>("address") == s.url("poll")) poll = true;
  }
  BOOST_TEST(poll);
}

BOOST_DATA_TEST_CASE(collections_via_discovery, boost::unit_test::data::make(kVersions), version_arg) {
  const std::string version = version_arg;  // not a dependent type below
  Server s;
  auto r = taxii_cli({"collections", "--discovery", s.url("discovery"), "--taxii", version, "--json"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  auto cols = json_of(r)->getArray("collections");
  std::vector<std::string> names;
  for (size_t i = 0; i < cols->size(); ++i) names.push_back(cols->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
  BOOST_TEST((std::find(names.begin(), names.end(), "default") != names.end()));
  auto plain = taxii_cli({"collections", "--url", s.url("collection-management"), "--taxii", version});
  BOOST_TEST_REQUIRE(plain.code == 0, dump(plain));
  BOOST_TEST(plain.out.find("second") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(content)

BOOST_DATA_TEST_CASE(push_then_poll, boost::unit_test::data::make(kVersions), version_arg) {
  const std::string version = version_arg;  // not a dependent type below
  Server s;
  std::vector<std::string> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(s.dir.file("f" + std::to_string(i) + ".xml"));
    spit(files.back(), stix_file(i));
  }
  std::vector<std::string> push = {"push", "--url", s.url("inbox"), "--taxii", version, "--json", "--binding",
                                   "urn:stix.mitre.org:xml:1.1.1"};
  push.insert(push.end(), files.begin(), files.end());
  auto p = taxii_cli(push);
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  auto pj = json_of(p);
  BOOST_TEST(pj->getValue<int>("blocks") == 3);
  // Files with the standard declaration go as markup (kept byte for byte by the binding, line
  // breaks inside tags included); the one without a declaration goes as text.
  BOOST_TEST(pj->getArray("files")->getObject(0)->getValue<std::string>("as") == "xml");
  BOOST_TEST(pj->getArray("files")->getObject(1)->getValue<std::string>("as") == "xml");
  BOOST_TEST(pj->getArray("files")->getObject(2)->getValue<std::string>("as") == "text");
  const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::string markup1 = stix_file(1).substr(decl.size());

  auto r = taxii_cli({"poll", "--url", s.url("poll"), "--taxii", version, "-c", "default", "--json"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  auto doc = json_of(r);
  auto blocks = doc->getArray("blocks");
  BOOST_TEST_REQUIRE(blocks->size() == 3u);
  BOOST_TEST(blocks->getObject(0)->getValue<bool>("is_xml"));
  BOOST_TEST(blocks->getObject(1)->getValue<std::string>("content") == markup1);
  BOOST_TEST(blocks->getObject(2)->getValue<std::string>("content") == stix_file(2));
  BOOST_TEST(blocks->getObject(2)->getValue<std::string>("binding") == "urn:stix.mitre.org:xml:1.1.1");
  BOOST_TEST(!doc->isNull("inclusive_end"));

  // The window: nothing after the end stated by the last poll.
  auto later = taxii_cli({"poll", "--url", s.url("poll"), "--taxii", version, "-c", "default", "--json", "--begin",
                          doc->getValue<std::string>("inclusive_end")});
  BOOST_TEST_REQUIRE(later.code == 0, dump(later));
  BOOST_TEST(json_of(later)->getArray("blocks")->size() == 0u);

  // Plain output: each block then a newline.
  auto plain = taxii_cli({"poll", "--url", s.url("poll"), "--taxii", version, "-c", "default"});
  BOOST_TEST_REQUIRE(plain.code == 0, dump(plain));
  BOOST_TEST(plain.out.find(markup1) != std::string::npos);
  BOOST_TEST(plain.out.find(stix_file(2)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(count_only_and_destinations) {
  Server s;
  const std::string f = s.dir.file("a.xml");
  spit(f, stix_file(0));
  for (int i = 0; i < 7; ++i) BOOST_TEST_REQUIRE(taxii_cli({"push", "--url", s.url("inbox"), f}).code == 0);
  auto r = taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--count-only"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  BOOST_TEST(r.out == "7 records\n");
  auto j = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--count-only", "--json"}));
  BOOST_TEST(j->getValue<int>("record_count") == 7);
  BOOST_TEST(j->getArray("blocks")->size() == 0u);

  auto named = taxii_cli({"push", "--url", s.url("inbox-named"), "--dest", "second", f});
  BOOST_TEST_REQUIRE(named.code == 0, dump(named));
  auto second = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "second", "--count-only", "--json"}));
  BOOST_TEST(second->getValue<int>("record_count") == 1);
  auto missing = taxii_cli({"push", "--url", s.url("inbox-named"), f});
  BOOST_TEST(missing.code == 4, dump(missing));
  BOOST_TEST(missing.err.find("DESTINATION_COLLECTION_ERROR") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(multi_part_results_are_followed) {
  Server s(5);
  std::vector<std::string> push = {"push", "--url", s.url("inbox"), "--batch", "4"};
  for (int i = 0; i < 12; ++i) {
    push.push_back(s.dir.file("m" + std::to_string(100 + i) + ".xml"));
    spit(push.back(), "block " + std::to_string(i));
  }
  auto p = taxii_cli(push);
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  BOOST_TEST(p.out == "pushed 12 blocks (86 B) in 3 messages\n");

  auto r = taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--json"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  auto doc = json_of(r);
  BOOST_TEST(doc->getValue<int>("parts") == 3);
  auto blocks = doc->getArray("blocks");
  BOOST_TEST_REQUIRE(blocks->size() == 12u);
  for (unsigned i = 0; i < 12; ++i) {
    BOOST_TEST(blocks->getObject(i)->getValue<std::string>("content") == "block " + std::to_string(i));
    BOOST_TEST(blocks->getObject(i)->getValue<int>("index") == static_cast<int>(i + 1));
  }

  // --no-follow stops after part 1; fulfill fetches the rest.
  auto first = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--json", "--no-follow"}));
  BOOST_TEST(first->getValue<bool>("more"));
  const auto rid = first->getValue<std::string>("result_id");
  auto rest = taxii_cli({"fulfill", "--url", s.url("poll"), "-c", "default", "--result-id", rid, "--part", "2", "--follow", "--json"});
  BOOST_TEST_REQUIRE(rest.code == 0, dump(rest));
  BOOST_TEST(json_of(rest)->getArray("blocks")->size() == 7u);
  auto beyond = taxii_cli({"fulfill", "--url", s.url("poll"), "-c", "default", "--result-id", rid, "--part", "9"});
  BOOST_TEST(beyond.code == 4, dump(beyond));
  BOOST_TEST(beyond.err.find("INVALID_RESPONSE_PART") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_hundred_stix_files_come_back_byte_identical) {
  Server s(25);
  const fs::path in = s.dir.file("in"), out = s.dir.file("out");
  fs::create_directories(in);
  for (int i = 0; i < 200; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "stix-%03d.xml", i);
    spit((in / name).string(), stix_file(i));
  }
  auto p = taxii_cli({"push", "--url", s.url("inbox"), "--batch", "20", "--json", in.string()});
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  auto pj = json_of(p);
  BOOST_TEST(pj->getValue<int>("blocks") == 200);
  BOOST_TEST(pj->getValue<int>("messages") == 10);
  int markup = 0;
  for (unsigned i = 0; i < 200; ++i) markup += pj->getArray("files")->getObject(i)->getValue<std::string>("as") == "xml";
  BOOST_TEST(markup == 134);  // those with the standard declaration (i % 3 != 2) travel as XML markup

  auto r = taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--output-dir", out.string()});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  std::vector<fs::path> got;
  for (const auto& e : fs::directory_iterator(out)) got.push_back(e.path());
  std::sort(got.begin(), got.end());
  BOOST_TEST_REQUIRE(got.size() == 200u);
  for (int i = 0; i < 200; ++i) {
    BOOST_TEST(slurp(got[static_cast<size_t>(i)].string()) == stix_file(i), got[static_cast<size_t>(i)].filename());
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%06d_", i + 1);
    BOOST_TEST(got[static_cast<size_t>(i)].filename().string().rfind(prefix, 0) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(stdin_is_pushed) {
  Server s;
  const std::string f = s.dir.file("stdin.xml");
  spit(f, stix_file(0));
  auto p = taxii_cli({"push", "--url", s.url("inbox"), "-"}, f);
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  auto r = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--json"}));
  BOOST_TEST(r->getArray("blocks")->getObject(0)->getValue<bool>("is_xml"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exit_codes)

BOOST_AUTO_TEST_CASE(unknown_collection_is_a_taxii_status) {
  Server s;
  for (const std::string version : {"1.1", "1.0"}) {
    auto r = taxii_cli({"poll", "--url", s.url("poll"), "-c", "no-such-collection", "--taxii", version});
    BOOST_TEST(r.code == 4, dump(r));
    BOOST_TEST(r.err.find("taxii: server answered NOT_FOUND") != std::string::npos, r.err);
    auto j = taxii_cli({"poll", "--url", s.url("poll"), "-c", "no-such-collection", "--taxii", version, "--json"});
    BOOST_TEST(j.code == 4);
    auto doc = json_of(j);
    BOOST_TEST(!doc->getValue<bool>("ok"));
    BOOST_TEST(doc->getObject("error")->getValue<std::string>("status_type") == "NOT_FOUND");
    BOOST_TEST(doc->getObject("error")->getValue<std::string>("origin") == "server");
  }
}

BOOST_AUTO_TEST_CASE(connection_refused_is_a_transport_error) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/services/poll";
  auto r = taxii_cli({"poll", "--url", url, "-c", "default", "--retries", "0"});
  BOOST_TEST(r.code == 3, dump(r));
  BOOST_TEST(r.err.find("cannot connect") != std::string::npos);
  auto j = taxii_cli({"discover", "--url", url, "--retries", "0", "--json"});
  BOOST_TEST(j.code == 3);
  BOOST_TEST(json_of(j)->getObject("error")->getValue<std::string>("origin") == "transport");
}

BOOST_AUTO_TEST_CASE(usage_errors_and_local_files) {
  Server s;
  BOOST_TEST(taxii_cli({"poll", "--url", s.url("poll"), "--no-such-option"}).code == 2);
  BOOST_TEST(taxii_cli({"poll", "--url", s.url("poll")}).code == 2);  // --collection missing
  BOOST_TEST(taxii_cli({"poll", "--url", "ftp://x/", "-c", "a"}).code == 2);
  BOOST_TEST(taxii_cli({"poll", "--url", s.url("poll"), "-c", "a", "--begin", "yesterday"}).code == 2);
  BOOST_TEST(taxii_cli({"poll", "--url", s.url("poll"), "-c", "a", "--taxii", "1.0", "--count-only"}).code == 2);
  BOOST_TEST(taxii_cli({"nonsense"}).code == 2);
  BOOST_TEST(taxii_cli({"push", "--url", s.url("inbox"), s.dir.file("does-not-exist.xml")}).code == 5);
  const std::string binary = s.dir.file("binary.bin");
  spit(binary, std::string("\x00\x01\x02", 3));
  auto b = taxii_cli({"push", "--url", s.url("inbox"), binary});
  BOOST_TEST(b.code == 5, dump(b));
  BOOST_TEST(taxii_cli({"poll", "--help"}).code == 0);
  BOOST_TEST(taxii_cli({"poll", "--help"}).out.find("--output-dir") != std::string::npos);
  // No service at that path: taxiid answers NOT_FOUND with HTTP 404, which the client
  // reports with a hint.
  auto nf = taxii_cli({"discover", "--url", "http://127.0.0.1:" + std::to_string(s.proc.http_port()) + "/nowhere"});
  BOOST_TEST(nf.code == 4, dump(nf));
  BOOST_TEST(nf.err.find("NOT_FOUND") != std::string::npos, nf.err);
  BOOST_TEST(nf.err.find("check the URL") != std::string::npos, nf.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(https_verifies_the_server_and_presents_client_certificates) {
  wire::ServerSpec spec;
  spec.tls = true;
  spec.client_certificates = "required";
  wire::TaxiidProcess proc(spec);
  const auto& pki = proc.pki();
  const std::string url = "https://127.0.0.1:" + std::to_string(proc.https_port()) + "/services/discovery";
  auto ok = taxii_cli({"discover", "--url", url, "--ca", pki.ca, "--cert", pki.client_cert, "--key", pki.client_key});
  BOOST_TEST(ok.code == 0, dump(ok));
  auto insecure = taxii_cli({"discover", "--url", url, "--insecure", "--cert", pki.client_cert, "--key", pki.client_key});
  BOOST_TEST(insecure.code == 0, dump(insecure));
  auto untrusted = taxii_cli({"discover", "--url", url, "--retries", "0", "--cert", pki.client_cert, "--key", pki.client_key});
  BOOST_TEST(untrusted.code == 3, dump(untrusted));
  auto no_cert = taxii_cli({"discover", "--url", url, "--retries", "0", "--ca", pki.ca});
  BOOST_TEST(no_cert.code != 0, dump(no_cert));
  auto missing_file = taxii_cli({"discover", "--url", url, "--ca", "/nonexistent/ca.pem"});
  BOOST_TEST(missing_file.code == 5, dump(missing_file));
}

BOOST_AUTO_TEST_SUITE_END()
