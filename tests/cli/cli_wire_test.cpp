// The `taxii` binary against a real taxiid on 127.0.0.1 (tests/wire/wire_support.hpp starts
// it): discover, collections, push then poll in TAXII 1.1 and 1.0, --count-only, multi-part
// following, fulfill, --json documents (parsed with Poco::JSON), HTTPS options, and the exit
// codes of docs/cli.md. The full command × version × transport matrix is cli_matrix_test.cpp,
// the 10,000-file round trip cli_roundtrip_test.cpp.
#define BOOST_TEST_MODULE cli_wire
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "auth/password.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/support/loopback.hpp"
#include "tests/cli/forward_proxy.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::clitest;
namespace fs = std::filesystem;

namespace {

using taxii::testsupport::closed_port;

// A socket listening on 127.0.0.1, at a port the kernel picks (*port).
int listen_on_loopback(uint16_t* port, int backlog) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  BOOST_TEST_REQUIRE(::listen(fd, backlog) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
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

BOOST_AUTO_TEST_CASE(subtypes_and_binding_filters) {
  Server s;
  const std::string f = s.dir.file("typed.xml");
  spit(f, stix_file(0));
  const std::string sub = wire::kSubtype;
  // The "typed" collection takes STIX 1.2 with that subtype only.
  auto wrong = taxii_cli({"push", "--url", s.url("inbox"), "--dest", "typed", "--binding", "urn:stix.mitre.org:xml:1.2",
                          "--subtype", "urn:example:subtype:other", f});
  BOOST_TEST(wrong.code == 4, dump(wrong));
  BOOST_TEST(contains(wrong.err, "UNSUPPORTED_CONTENT"), wrong.err);
  auto p = taxii_cli({"push", "--url", s.url("inbox"), "--dest", "typed", "--binding", "urn:stix.mitre.org:xml:1.2",
                      "--subtype", sub, f});
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  auto r = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "typed", "--json", "--binding",
                              "urn:stix.mitre.org:xml:1.2>" + sub}));
  BOOST_TEST_REQUIRE(r->getArray("blocks")->size() == 1u);
  BOOST_TEST(r->getArray("blocks")->getObject(0)->getValue<std::string>("subtype") == sub);
  auto other = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "typed", "--json", "--binding",
                                  "urn:stix.mitre.org:xml:1.2", "--subtype", "urn:example:other"}));
  BOOST_TEST(other->getArray("blocks")->size() == 0u);
  BOOST_TEST(taxii_cli({"push", "--url", s.url("inbox"), "--taxii", "1.0", "--subtype", sub, f}).code == 2);
}

BOOST_AUTO_TEST_CASE(stdin_is_pushed) {
  Server s;
  const std::string f = s.dir.file("stdin.xml");
  spit(f, stix_file(0));
  RunOptions from_file;
  from_file.stdin_file = f;
  auto p = taxii_cli({"push", "--url", s.url("inbox"), "-"}, from_file);
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
    // The server's id of the request (its X-Request-Id), so the error can be found in its log.
    const std::string id = doc->getObject("error")->getValue<std::string>("request_id");
    BOOST_TEST(id.find('-') == 8u, id);
    BOOST_TEST(r.err.find("taxii: the server's request id: ") != std::string::npos, r.err);
    BOOST_TEST(wire::timing::eventually([&] { return s.proc.log().find("req=" + id + " ") != std::string::npos; }), s.proc.log());
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

BOOST_AUTO_TEST_SUITE(help)

BOOST_AUTO_TEST_CASE(every_command_has_help) {
  for (const std::string cmd : {"discover", "collections", "poll", "push", "subscribe", "fulfill", "validate"}) {
    auto r = taxii_cli({cmd, "--help"});
    BOOST_TEST(r.code == 0, cmd << ": " << dump(r));
    BOOST_TEST(r.out.rfind("usage: taxii " + cmd, 0) == 0u, r.out);
    BOOST_TEST(contains(r.out, "Exit status"), cmd);
    if (cmd != "validate") {
      for (const char* o : {"--url", "--taxii", "--user", "--password", "--cert", "--key", "--ca", "--insecure", "--proxy",
                            "--timeout", "--retries", "--json", "--verbose", "$TAXII_USER", "$TAXII_PASSWORD"})
        BOOST_TEST(contains(r.out, o), cmd << " --help lacks " << o);
    }
    // `taxii help CMD` is the same text.
    BOOST_TEST(taxii_cli({"help", cmd}).out == r.out);
  }
  auto top = taxii_cli({"--help"});
  BOOST_TEST(top.code == 0);
  for (const char* cmd : {"discover", "collections", "poll", "push", "subscribe", "fulfill", "validate"})
    BOOST_TEST(contains(top.out, std::string("  ") + cmd), cmd);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(authentication)

// An auth-enabled server: alice (password), svc (client certificate); Basic over plain HTTP
// as configured.
wire::ServerSpec auth_spec(bool basic_over_http) {
  wire::ServerSpec s;
  s.tls = true;
  s.client_certificates = "optional";
  s.extra_yaml = "auth:\n  allow_basic_over_http: " + std::string(basic_over_http ? "true" : "false") +
                 "\n  users:\n    - {name: alice, password_hash: '" + *auth::hash_password("right", 1000) +
                 "'}\n    - {name: svc}\n"
                 "  client_certificates:\n    map: [{subject: 'CN=wire test client, O=taxii', user: svc}]\n";
  return s;
}

BOOST_AUTO_TEST_CASE(wrong_password_is_a_taxii_unauthorized_status) {
  wire::TaxiidProcess proc(auth_spec(true));
  const std::string https = "https://127.0.0.1:" + std::to_string(proc.https_port()) + "/services/";
  const std::string http = "http://127.0.0.1:" + std::to_string(proc.http_port()) + "/services/";
  for (const std::string version : {"1.1", "1.0"}) {
    for (const std::string& base : {https, http}) {
      auto r = taxii_cli({"poll", "--url", base + "poll", "-c", "default", "--taxii", version, "--ca", proc.pki().ca,
                          "--user", "alice", "--password", "wrong", "--retries", "0"});
      BOOST_TEST(r.code == 4, dump(r));
      BOOST_TEST(contains(r.err, "taxii: server answered UNAUTHORIZED"), r.err);
      // The same from the environment, with --json.
      RunOptions env;
      env.env = {"TAXII_USER=alice", "TAXII_PASSWORD=wrong"};
      auto j = taxii_cli({"collections", "--url", base + "collection-management", "--taxii", version, "--ca",
                          proc.pki().ca, "--json", "--retries", "0"}, env);
      BOOST_TEST(j.code == 4, dump(j));
      auto e = json_of(j)->getObject("error");
      BOOST_TEST(e->getValue<std::string>("origin") == "server");
      BOOST_TEST(e->getValue<std::string>("status_type") == "UNAUTHORIZED");
      // And the right password works, from the environment too.
      env.env = {"TAXII_USER=alice", "TAXII_PASSWORD=right"};
      auto ok = taxii_cli({"collections", "--url", base + "collection-management", "--taxii", version, "--ca",
                           proc.pki().ca, "--json"}, env);
      BOOST_TEST(ok.code == 0, dump(ok));
    }
  }
}

BOOST_AUTO_TEST_CASE(basic_over_plain_http_is_refused_unless_configured) {
  wire::TaxiidProcess proc(auth_spec(false));
  const std::string http = "http://127.0.0.1:" + std::to_string(proc.http_port()) + "/services/discovery";
  auto r = taxii_cli({"discover", "--url", http, "--user", "alice", "--password", "right", "--json"});
  BOOST_TEST(r.code == 4, dump(r));
  BOOST_TEST(contains(r.err, "UNAUTHORIZED"), r.err);
  BOOST_TEST(contains(json_of(r)->getObject("error")->getValue<std::string>("message"), "HTTPS"), r.out);
  const std::string https = "https://127.0.0.1:" + std::to_string(proc.https_port()) + "/services/discovery";
  auto s = taxii_cli({"discover", "--url", https, "--ca", proc.pki().ca, "--user", "alice", "--password", "right"});
  BOOST_TEST(s.code == 0, dump(s));
  // A certificate from another CA is not a login: anonymous, which this server refuses.
  auto rogue = taxii_cli({"discover", "--url", https, "--ca", proc.pki().ca, "--cert", proc.pki().rogue_cert, "--key",
                          proc.pki().rogue_key, "--retries", "0"});
  BOOST_TEST(rogue.code != 0, dump(rogue));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(network)

BOOST_AUTO_TEST_CASE(http_through_a_proxy_with_credentials) {
  Server s;
  ForwardProxy proxy(0, auth::base64_encode("pu:ppw"));
  auto r = taxii_cli({"discover", "--url", s.url("discovery"), "--proxy", proxy.url("pu:ppw"), "--json"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  BOOST_TEST(json_of(r)->getValue<bool>("ok"));
  const auto seen = proxy.seen();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0] == "POST " + s.url("discovery") + " HTTP/1.1");
  // Wrong proxy credentials: HTTP 407 without a TAXII message, UNAUTHORIZED, exit 3.
  auto bad = taxii_cli({"discover", "--url", s.url("discovery"), "--proxy", proxy.url("pu:nope"), "--json", "--retries", "0"});
  BOOST_TEST(bad.code == 3, dump(bad));
  auto e = json_of(bad)->getObject("error");
  BOOST_TEST(e->getValue<std::string>("origin") == "http");
  BOOST_TEST(e->getValue<int>("http_status") == 407);
  BOOST_TEST(e->getValue<std::string>("status_type") == "UNAUTHORIZED");
  BOOST_TEST(taxii_cli({"discover", "--url", s.url("discovery"), "--proxy", "socks5://127.0.0.1:1"}).code == 2);
}

BOOST_AUTO_TEST_CASE(https_through_a_proxy_tunnel) {
  wire::ServerSpec spec;
  spec.tls = true;
  spec.client_certificates = "required";
  wire::TaxiidProcess proc(spec);
  ForwardProxy proxy;
  const std::string url = "https://127.0.0.1:" + std::to_string(proc.https_port()) + "/services/poll";
  auto r = taxii_cli({"poll", "--url", url, "-c", "default", "--ca", proc.pki().ca, "--cert", proc.pki().client_cert,
                      "--key", proc.pki().client_key, "--proxy", proxy.url(), "--json"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  BOOST_TEST(json_of(r)->getValue<int>("block_count") == 0);
  const auto seen = proxy.seen();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0] == "CONNECT 127.0.0.1:" + std::to_string(proc.https_port()) + " HTTP/1.1");
}

BOOST_AUTO_TEST_CASE(a_silent_server_times_out) {
  // Listening, never answering: the connection is accepted by the kernel, the request sent,
  // and no response comes.
  uint16_t port = 0;
  const int fd = listen_on_loopback(&port, 8);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/services/discovery";
  auto r = taxii_cli({"discover", "--url", url, "--timeout", "1", "--retries", "0", "--json"});
  ::close(fd);
  BOOST_TEST(r.code == 3, dump(r));
  BOOST_TEST(r.seconds < 10.0);
  auto e = json_of(r)->getObject("error");
  BOOST_TEST(e->getValue<std::string>("origin") == "transport");
  BOOST_TEST(e->getValue<std::string>("status_type") == "NETWORK_ERROR");
  BOOST_TEST(taxii_cli({"discover", "--url", url, "--timeout", "0"}).code == 2);
}

// A one-connection HTTP server written by hand: it reads one request, then sends `head` and
// the pieces of `body` as separate writes, `gap` apart, and closes. The body answers the
// request's message_id. Content-Length promises `missing` bytes more than are sent.
class PiecewiseServer {
 public:
  PiecewiseServer(std::string body, std::size_t pieces, std::chrono::milliseconds gap, std::size_t missing = 0) {
    fd_ = listen_on_loopback(&port_, 1);
    thread_ = std::thread([this, body = std::move(body), pieces, gap, missing] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      // The request: a head and a body of Content-Length bytes.
      for (;;) {
        const auto end = req.find("\r\n\r\n");
        std::smatch m;
        if (end != std::string::npos && std::regex_search(req, m, std::regex("Content-Length: *([0-9]+)", std::regex::icase)) &&
            req.size() >= end + 4 + std::stoul(m[1].str()))
          break;
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      std::smatch id;
      std::regex_search(req, id, std::regex("message_id=\"([^\"]*)\""));
      const std::string answer = std::regex_replace(body, std::regex("IN_RESPONSE_TO"), id.size() > 1 ? id[1].str() : "");
      const std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
          "X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\n"
          "X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0\r\n"
          "X-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\nConnection: close\r\n"
          "Content-Length: " + std::to_string(answer.size() + missing) + "\r\n\r\n";
      ::send(c, head.data(), head.size(), MSG_NOSIGNAL);
      const std::size_t step = (answer.size() + pieces - 1) / pieces;
      for (std::size_t off = 0; off < answer.size(); off += step) {
        std::this_thread::sleep_for(gap);
        ::send(c, answer.data() + off, std::min(step, answer.size() - off), MSG_NOSIGNAL);
      }
      ::close(c);
    });
  }
  ~PiecewiseServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

std::string discovery_response_with_padding() {
  // ~260 KB: many receive calls' worth, in whatever pieces the socket hands over.
  std::string r = "<taxii_11:Discovery_Response xmlns:taxii_11=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" "
                  "message_id=\"r1\" in_response_to=\"IN_RESPONSE_TO\">";
  for (int i = 0; i < 500; ++i)
    r += "<taxii_11:Service_Instance service_type=\"POLL\" service_version=\"urn:taxii.mitre.org:services:1.1\" available=\"true\">"
         "<taxii_11:Protocol_Binding>urn:taxii.mitre.org:protocol:http:1.0</taxii_11:Protocol_Binding>"
         "<taxii_11:Address>http://example.org/poll/" + std::to_string(i) + "</taxii_11:Address>"
         "<taxii_11:Message_Binding>urn:taxii.mitre.org:message:xml:1.1</taxii_11:Message_Binding>"
         "<taxii_11:Message>" + std::string(100, 'x') + "</taxii_11:Message></taxii_11:Service_Instance>";
  return r + "</taxii_11:Discovery_Response>";
}

BOOST_AUTO_TEST_CASE(a_body_arriving_in_pieces_is_read_whole) {
  // The client reads a body of known length straight into its buffer (bindings/http/http_client.cpp):
  // pieces that arrive apart, one of them split inside an element, make one message.
  PiecewiseServer server(discovery_response_with_padding(), 7, std::chrono::milliseconds(30));
  auto r = taxii_cli({"discover", "--url", server.url("/services/discovery"), "--retries", "0", "--json"});
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  auto services = json_of(r)->getArray("services");
  BOOST_TEST_REQUIRE(services->size() == 500u);
  BOOST_TEST(services->getObject(499)->getValue<std::string>("address") == "http://example.org/poll/499");
}

BOOST_AUTO_TEST_CASE(a_body_cut_short_is_a_transport_error) {
  // Content-Length promises more than the server sends before it closes: a transport error
  // that says so, never a parse of the part that came.
  PiecewiseServer server(discovery_response_with_padding(), 2, std::chrono::milliseconds(10), 1000);
  auto r = taxii_cli({"discover", "--url", server.url("/services/discovery"), "--retries", "0", "--json"});
  BOOST_TEST(r.code == 3, dump(r));
  auto e = json_of(r)->getObject("error");
  BOOST_TEST(e->getValue<std::string>("origin") == "transport");
  const std::string message = e->getValue<std::string>("message");
  std::smatch m;
  BOOST_TEST_REQUIRE(std::regex_search(message, m, std::regex("the connection closed after ([0-9]+) of ([0-9]+) body bytes")),
                     message);
  BOOST_TEST(std::stoul(m[2].str()) - std::stoul(m[1].str()) == 1000u, message);
}

BOOST_AUTO_TEST_CASE(retry_status_is_waited_out_and_retried) {
  Server s;
  // The proxy answers the first two requests RETRY (ESTIMATED_WAIT 1) without passing them on.
  ForwardProxy proxy(2);
  const std::string f = s.dir.file("a.xml");
  spit(f, stix_file(0));
  auto p = taxii_cli({"push", "--url", s.url("inbox"), "--proxy", proxy.url(), f});
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  BOOST_TEST(proxy.retries_sent() == 2);
  BOOST_TEST(contains(p.err, "taxii: server answered RETRY: proxy busy; waiting 1 s"), p.err);
  BOOST_TEST(p.seconds >= 2.0);
  BOOST_TEST(proxy.seen().size() == 3u);
  // RETRY means nothing was done: the content is stored once.
  auto n = json_of(taxii_cli({"poll", "--url", s.url("poll"), "-c", "default", "--count-only", "--json"}));
  BOOST_TEST(n->getValue<int>("record_count") == 1);
  // Retries are bounded by --retries: the last RETRY is the answer (exit 4).
  ForwardProxy stubborn(100);
  auto r = taxii_cli({"discover", "--url", s.url("discovery"), "--proxy", stubborn.url(), "--retries", "1", "--json"});
  BOOST_TEST(r.code == 4, dump(r));
  BOOST_TEST(stubborn.retries_sent() == 2);
  BOOST_TEST(json_of(r)->getObject("error")->getValue<std::string>("status_type") == "RETRY");
}

BOOST_AUTO_TEST_SUITE_END()
