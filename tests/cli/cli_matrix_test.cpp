// The `taxii` binary against a real taxiid on 127.0.0.1, every subcommand × TAXII 1.1 and 1.0 ×
// {HTTP + Basic auth, HTTPS + Basic auth, HTTPS + client certificate} (issue #5, "Done when").
// The server requires authentication everywhere (no public discovery, no anonymous access,
// Basic over plain HTTP allowed by `auth.allow_basic_over_http`); the client certificate maps
// to an account. Each case asserts the text output, the --json document (parsed with
// Poco::JSON) and the exit code; what TAXII 1.0 cannot express (pause, resume, count-only,
// async, fulfill, --dest) must be refused with exit 2 and a message naming TAXII 1.1.
// Credentials: flags for HTTP, $TAXII_USER/$TAXII_PASSWORD for HTTPS + Basic.
#define BOOST_TEST_MODULE cli_matrix
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

#include "auth/password.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/cli/stix_files.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::clitest;
namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;

namespace {

enum Mode { kHttpBasic = 0, kHttpsBasic = 1, kHttpsCert = 2 };
const char* mode_name(int m) { return m == kHttpBasic ? "http+basic" : m == kHttpsBasic ? "https+basic" : "https+cert"; }

const std::string kPassword = "alice-secret-pw";
constexpr const char* kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

wire::ServerSpec matrix_spec() {
  wire::ServerSpec s;
  s.tls = true;
  s.client_certificates = "optional";
  s.part_size = 3;
  s.poll_yaml = "  async_threshold: 0\n";  // every poll that allows it answers PENDING first
  s.extra_yaml = "auth:\n"
                 "  allow_basic_over_http: true\n"
                 "  users:\n"
                 "    - {name: alice, password_hash: '" + *auth::hash_password(kPassword, 1000) + "'}\n"
                 "    - {name: svc}\n"
                 "  client_certificates:\n    map: [{subject: 'CN=wire test client, O=taxii', user: svc}]\n";
  return s;
}

struct Matrix {
  Matrix(std::string v, int m) : version(std::move(v)), mode(m) {
    BOOST_TEST_MESSAGE("TAXII " << version << ", " << mode_name(mode));
  }
  ~Matrix() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  bool v10() const { return version == "1.0"; }
  bool https() const { return mode != kHttpBasic; }
  std::string url(const std::string& service) const {
    return std::string(https() ? "https" : "http") + "://127.0.0.1:" +
           std::to_string(https() ? server.https_port() : server.http_port()) + "/services/" + service;
  }
  std::vector<std::string> common() const {
    std::vector<std::string> a = {"--taxii", version, "--retries", "0", "--timeout", "30"};
    if (https()) a.insert(a.end(), {"--ca", server.pki().ca});
    if (mode == kHttpBasic) a.insert(a.end(), {"--user", "alice", "--password", kPassword});
    if (mode == kHttpsCert) a.insert(a.end(), {"--cert", server.pki().client_cert, "--key", server.pki().client_key});
    return a;
  }
  RunOptions options() const {
    RunOptions o;
    if (mode == kHttpsBasic) o.env = {"TAXII_USER=alice", "TAXII_PASSWORD=" + kPassword};
    return o;
  }
  // taxii <args> <common options>
  Run run(std::vector<std::string> args) const {
    auto c = common();
    args.insert(args.end(), c.begin(), c.end());
    return taxii_cli(args, options());
  }
  // taxii subscribe --url <collection management> -c default <extra> <common options>
  Run sub(const std::vector<std::string>& extra) const {
    std::vector<std::string> a = {"subscribe", "--url", url("collection-management"), "-c", "default"};
    a.insert(a.end(), extra.begin(), extra.end());
    return run(a);
  }
  // A refusal of what TAXII 1.0 cannot say: exit 2, a message naming 1.1, no JSON.
  void refused_in_10(std::vector<std::string> args) const {
    args.push_back("--json");
    Run r = run(args);
    BOOST_TEST(r.code == 2, dump(r));
    BOOST_TEST(contains(r.err, "1.1"), r.err);
    BOOST_TEST(r.out.empty(), r.out);
  }

  std::string version;
  int mode;
  wire::TaxiidProcess server{matrix_spec()};
  wire::TempDir dir;
};

std::vector<std::string> strings(const Poco::JSON::Array::Ptr& a, const std::string& key) {
  std::vector<std::string> out;
  for (unsigned i = 0; i < a->size(); ++i) out.push_back(a->getObject(i)->getValue<std::string>(key));
  return out;
}

const auto kCases = bdata::make(std::vector<std::string>{"1.1", "1.0"}) * bdata::make(std::vector<int>{0, 1, 2});

// A `taxii subscribe ... --json` run that succeeded, answering `action` with exactly one
// subscription, `id`, in `status`.
void expect_one_subscription(const Run& r, const std::string& action, const std::string& id, const std::string& status) {
  BOOST_TEST_REQUIRE(r.code == 0, dump(r));
  auto doc = json_of(r);
  BOOST_TEST(doc->getValue<std::string>("action") == action);
  BOOST_TEST(strings(doc->getArray("subscriptions"), "id") == std::vector<std::string>{id}, boost::test_tools::per_element());
  BOOST_TEST(strings(doc->getArray("subscriptions"), "status") == std::vector<std::string>{status},
             boost::test_tools::per_element());
}

}  // namespace

BOOST_DATA_TEST_CASE(discover_and_collections, kCases, version_arg, mode) {
  const std::string version = version_arg;
  Matrix m(version, mode);
  // Text.
  Run d = m.run({"discover", "--url", m.url("discovery")});
  BOOST_TEST_REQUIRE(d.code == 0, dump(d));
  for (const char* type : {"DISCOVERY", "COLLECTION_MANAGEMENT", "INBOX", "POLL"}) BOOST_TEST(contains(d.out, type), type);
  BOOST_TEST(contains(d.out, m.url("poll")), d.out);
  BOOST_TEST(contains(d.out, std::string("services ") + (m.v10() ? "urn:taxii.mitre.org:services:1.0" : "urn:taxii.mitre.org:services:1.1")));
  // JSON.
  Run dj = m.run({"discover", "--url", m.url("discovery"), "--json"});
  BOOST_TEST_REQUIRE(dj.code == 0, dump(dj));
  auto doc = json_of(dj);
  BOOST_TEST(doc->getValue<std::string>("command") == "discover");
  BOOST_TEST(doc->getValue<bool>("ok"));
  BOOST_TEST(doc->getValue<std::string>("url") == m.url("discovery"));
  auto services = doc->getArray("services");
  bool poll_found = false;
  for (unsigned i = 0; i < services->size(); ++i) {
    auto si = services->getObject(i);
    BOOST_TEST(si->getValue<std::string>("version") == (m.v10() ? "urn:taxii.mitre.org:services:1.0" : "urn:taxii.mitre.org:services:1.1"));
    if (si->getValue<std::string>("type") == "POLL" && si->getValue<std::string>("address") == m.url("poll")) {
      poll_found = true;
      BOOST_TEST(si->getValue<std::string>("protocol") ==
                 (m.https() ? "urn:taxii.mitre.org:protocol:https:1.0" : "urn:taxii.mitre.org:protocol:http:1.0"));
      BOOST_TEST(si->getArray("message_bindings")->getElement<std::string>(0) ==
                 (m.v10() ? "urn:taxii.mitre.org:message:xml:1.0" : "urn:taxii.mitre.org:message:xml:1.1"));
    }
  }
  BOOST_TEST(poll_found, dj.out);
  // The same address in parts: --host/--port/--https/--path.
  std::vector<std::string> parts = {"discover", "--host", "127.0.0.1", "--port",
                                    std::to_string(m.https() ? m.server.https_port() : m.server.http_port()), "--path",
                                    "/services/discovery", "--json"};
  if (m.https()) parts.push_back("--https");
  Run dp = m.run(parts);
  BOOST_TEST_REQUIRE(dp.code == 0, dump(dp));
  BOOST_TEST(json_of(dp)->getValue<std::string>("url") == m.url("discovery"));
  // -v shows both messages on stderr, never the password.
  Run v = m.run({"discover", "--url", m.url("discovery"), "-v"});
  BOOST_TEST_REQUIRE(v.code == 0, dump(v));
  BOOST_TEST(contains(v.err, "> POST " + m.url("discovery")), v.err);
  BOOST_TEST(contains(v.err, "> X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:" + version), v.err);
  BOOST_TEST(contains(v.err, "< HTTP 200"), v.err);
  BOOST_TEST(contains(v.err, "Discovery_Request"), v.err);
  BOOST_TEST(contains(v.err, "Discovery_Response"), v.err);
  BOOST_TEST(contains(v.err, "> Authorization: (hidden)") == (m.mode != kHttpsCert), v.err);
  BOOST_TEST(!contains(v.err, kPassword));
  BOOST_TEST(!contains(v.err, auth::base64_encode("alice:" + kPassword)));

  // Collections: found with the Discovery service (same scheme), and directly.
  Run c = m.run({"collections", "--discovery", m.url("discovery"), "--json"});
  BOOST_TEST_REQUIRE(c.code == 0, dump(c));
  auto cdoc = json_of(c);
  BOOST_TEST(cdoc->getValue<std::string>("command") == "collections");
  auto cols = cdoc->getArray("collections");
  const auto names = strings(cols, "name");
  // TAXII 1.0 has feeds only: the data set is not listed to 1.0 clients.
  const std::vector<std::string> want_names =
      m.v10() ? std::vector<std::string>{"default", "second", "typed"} : std::vector<std::string>{"default", "second", "set", "typed"};
  BOOST_TEST(names == want_names, boost::test_tools::per_element());
  for (unsigned i = 0; i < cols->size(); ++i) {
    auto col = cols->getObject(i);
    BOOST_TEST(col->getValue<std::string>("type") == (names[i] == "set" ? "DATA_SET" : "DATA_FEED"));
    auto polls = col->getArray("polling_services");
    BOOST_TEST_REQUIRE(polls->size() >= 1u);
    bool here = false;
    for (unsigned k = 0; k < polls->size(); ++k) here |= polls->getObject(k)->getValue<std::string>("address") == m.url("poll");
    BOOST_TEST(here);
  }
  BOOST_TEST(cols->getObject(0)->getValue<std::string>("description") == "the default feed");
  Run ct = m.run({"collections", "--url", m.url("collection-management")});
  BOOST_TEST_REQUIRE(ct.code == 0, dump(ct));
  BOOST_TEST(contains(ct.out, "default  (DATA_FEED"), ct.out);
  BOOST_TEST(contains(ct.out, "  poll: " + m.url("poll")), ct.out);

  // Without credentials the server refuses: a TAXII status, exit 4, its type on stderr.
  std::vector<std::string> anon = {"discover", "--url", m.url("discovery"), "--taxii", version, "--retries", "0", "--json"};
  if (m.https()) anon.insert(anon.end(), {"--ca", m.server.pki().ca});
  Run a = taxii_cli(anon);
  BOOST_TEST(a.code == 4, dump(a));
  BOOST_TEST(contains(a.err, "UNAUTHORIZED"), a.err);
  BOOST_TEST(json_of(a)->getObject("error")->getValue<std::string>("status_type") == "UNAUTHORIZED");
}

BOOST_DATA_TEST_CASE(push_poll_fulfill_validate, kCases, version_arg, mode) {
  const std::string version = version_arg;
  Matrix m(version, mode);
  const fs::path in = m.dir.file("in");
  fs::create_directories(in);
  std::vector<std::string> originals;
  for (int i = 0; i < 7; ++i) {
    originals.push_back(realistic_stix(i));
    spit((in / ("stix-" + std::to_string(i) + ".xml")).string(), originals.back());
  }

  // push: a directory, two Inbox_Messages.
  Run p = m.run({"push", "--url", m.url("inbox"), "--batch", "4", "--json", in.string()});
  BOOST_TEST_REQUIRE(p.code == 0, dump(p));
  auto pj = json_of(p);
  BOOST_TEST(pj->getValue<std::string>("command") == "push");
  BOOST_TEST(pj->getValue<bool>("ok"));
  BOOST_TEST(pj->getValue<int>("blocks") == 7);
  BOOST_TEST(pj->getValue<int>("messages") == 2);
  auto files = pj->getArray("files");
  BOOST_TEST_REQUIRE(files->size() == 7u);
  for (unsigned i = 0; i < 7; ++i) {
    // stix-5 has no declaration (and CR LF): text; the others (stix-3 pretty-printed) markup.
    BOOST_TEST(files->getObject(i)->getValue<std::string>("as") == (i == 5 ? "text" : "xml"), i);
    BOOST_TEST(files->getObject(i)->getValue<uint64_t>("bytes") == originals[i].size());
  }
  // Destination collections: 1.1 only.
  const std::string one = (in / "stix-0.xml").string();
  if (!m.v10()) {
    Run d = m.run({"push", "--url", m.url("inbox-named"), "--dest", "second", one});
    BOOST_TEST(d.code == 0, dump(d));
    BOOST_TEST(d.out.rfind("pushed 1 blocks (2.", 0) == 0u, d.out);  // 2.x KiB
    BOOST_TEST(contains(d.out, " KiB) in 1 message\n"), d.out);
    Run missing = m.run({"push", "--url", m.url("inbox-named"), one});
    BOOST_TEST(missing.code == 4, dump(missing));
    BOOST_TEST(contains(missing.err, "DESTINATION_COLLECTION_ERROR"), missing.err);
  } else {
    m.refused_in_10({"push", "--url", m.url("inbox-named"), "--dest", "second", one});
  }

  // poll --json: every block, its label, in order; 1.1 follows the three parts.
  Run all = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--json"});
  BOOST_TEST_REQUIRE(all.code == 0, dump(all));
  auto doc = json_of(all);
  BOOST_TEST(doc->getValue<std::string>("command") == "poll");
  BOOST_TEST(doc->getValue<bool>("ok"));
  BOOST_TEST(doc->getValue<int>("block_count") == 7);
  // 1.1: three parts of at most 3 blocks (Poll_Fulfillment). 1.0: answers capped at 3 blocks
  // end at their last block and are continued from there; the third states the newest label
  // of the collection, which is its last block too, so a fourth (empty) answer ends it.
  BOOST_TEST(doc->getValue<int>("parts") == (m.v10() ? 4 : 3));
  BOOST_TEST(!doc->isNull("inclusive_end"));
  auto blocks = doc->getArray("blocks");
  BOOST_TEST_REQUIRE(blocks->size() == 7u);
  std::vector<std::string> labels = strings(blocks, "timestamp_label");
  BOOST_TEST(std::is_sorted(labels.begin(), labels.end()));
  for (unsigned i = 0; i < 7; ++i) {
    auto b = blocks->getObject(i);
    BOOST_TEST(b->getValue<int>("index") == static_cast<int>(i + 1));
    BOOST_TEST(b->getValue<std::string>("binding") == "urn:stix.mitre.org:xml:1.1.1");
    BOOST_TEST(b->getValue<bool>("is_xml") == (i != 5));
    BOOST_TEST(b->getValue<std::string>("content") ==
               (b->getValue<bool>("is_xml") ? originals[i].substr(std::string(kXmlDecl).size()) : originals[i]), i);
  }

  // A window (begin exclusive, end inclusive): exactly the blocks labelled in it.
  Run w = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--json", "--begin", labels[1], "--end", labels[4]});
  BOOST_TEST_REQUIRE(w.code == 0, dump(w));
  std::vector<std::string> want;
  for (const auto& l : labels)
    if (labels[1] < l && l <= labels[4]) want.push_back(l);
  BOOST_TEST(strings(json_of(w)->getArray("blocks"), "timestamp_label") == want, boost::test_tools::per_element());
  Run wt = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--begin", labels[5], "--end", labels[6]});
  BOOST_TEST_REQUIRE(wt.code == 0, dump(wt));
  // stix-6 travelled as markup: stdout shows the markup (no declaration), ending in its newline.
  BOOST_TEST(wt.out == originals[6].substr(std::string(kXmlDecl).size()), wt.out);

  // --count-only: 1.1.
  if (!m.v10()) {
    Run n = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--count-only"});
    BOOST_TEST(n.code == 0, dump(n));
    BOOST_TEST(n.out == "7 records\n");
    auto nj = json_of(m.run({"poll", "--url", m.url("poll"), "-c", "default", "--count-only", "--json"}));
    BOOST_TEST(nj->getValue<int>("record_count") == 7);
    BOOST_TEST(nj->getValue<bool>("count_only"));
    BOOST_TEST(nj->getArray("blocks")->size() == 0u);
  } else {
    m.refused_in_10({"poll", "--url", m.url("poll"), "-c", "default", "--count-only"});
  }

  // --query FILE (a tdq:Default_Query): the server evaluates it over the markup blocks.
  const std::string query = m.dir.file("query.xml");
  spit(query, std::string(kXmlDecl) +
                  "<tdq:Default_Query xmlns:tdq=\"http://taxii.mitre.org/query/taxii_default_query-1\"\n"
                  "    targeting_expression_id=\"urn:stix.mitre.org:xml:1.1.1\">\n"
                  "  <tdq:Criteria operator=\"AND\"><tdq:Criterion>\n"
                  "    <tdq:Target>STIX_Package/STIX_Header/Title</tdq:Target>\n"
                  "    <tdq:Test capability_id=\"urn:taxii.mitre.org:query:capability:core-1\" relationship=\"equals\">\n"
                  "      <tdq:Parameter name=\"match_type\">case_sensitive_string</tdq:Parameter>\n"
                  "      <tdq:Parameter name=\"value\">Indicator package 2 &amp; related observables</tdq:Parameter>\n"
                  "    </tdq:Test>\n  </tdq:Criterion></tdq:Criteria>\n</tdq:Default_Query>\n");
  if (!m.v10()) {
    Run q = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--query", query, "--json"});
    BOOST_TEST_REQUIRE(q.code == 0, dump(q));
    BOOST_TEST(strings(json_of(q)->getArray("blocks"), "timestamp_label") == std::vector<std::string>{labels[2]},
               boost::test_tools::per_element());
  } else {
    m.refused_in_10({"poll", "--url", m.url("poll"), "-c", "default", "--query", query});
  }

  // --output-dir: the pushed bytes, file by file.
  const fs::path out = m.dir.file("out");
  Run o = m.run({"poll", "--url", m.url("poll"), "-c", "default", "-o", out.string()});
  BOOST_TEST_REQUIRE(o.code == 0, dump(o));
  BOOST_TEST(contains(o.out, "7 blocks ("), o.out);
  BOOST_TEST(contains(o.out, "written to " + out.string()), o.out);
  std::vector<fs::path> got;
  for (const auto& e : fs::directory_iterator(out)) got.push_back(e.path());
  std::sort(got.begin(), got.end());
  BOOST_TEST_REQUIRE(got.size() == 7u);
  for (size_t i = 0; i < 7; ++i) {
    BOOST_TEST(slurp(got[i].string()) == originals[i], got[i].filename());
    BOOST_TEST(got[i].filename().string() == "00000" + std::to_string(i + 1) + "_" + labels[i] + ".xml");
  }
  auto oj = json_of(m.run({"poll", "--url", m.url("poll"), "-c", "default", "--json", "-o", m.dir.file("out2")}));
  BOOST_TEST(oj->getArray("blocks")->getObject(0)->getValue<std::string>("file") ==
             m.dir.file("out2") + "/000001_" + labels[0] + ".xml");
  BOOST_TEST(!oj->getArray("blocks")->getObject(0)->has("content"));

  // --raw: the TAXII message itself, which `taxii validate` accepts.
  Run raw = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--raw", "--no-follow"});
  BOOST_TEST_REQUIRE(raw.code == 0, dump(raw));
  const std::string ns = m.v10() ? "http://taxii.mitre.org/messages/taxii_xml_binding-1" : "http://taxii.mitre.org/messages/taxii_xml_binding-1.1";
  BOOST_TEST(contains(raw.out, "Poll_Response"), raw.out);
  BOOST_TEST(contains(raw.out, "\"" + ns + "\""), raw.out.substr(0, 400));
  const std::string raw_file = m.dir.file("raw.xml");
  spit(raw_file, raw.out);
  Run val = taxii_cli({"validate", raw_file});
  BOOST_TEST(val.code == 0, dump(val));
  BOOST_TEST(val.out == raw_file + ": OK Poll_Response " + version + "\n", val.out);
  Run valj = taxii_cli({"validate", "--json", raw_file});
  BOOST_TEST_REQUIRE(valj.code == 0, dump(valj));
  auto vdoc = json_of(valj);
  BOOST_TEST(vdoc->getValue<std::string>("command") == "validate");
  BOOST_TEST(vdoc->getValue<bool>("ok"));
  auto vf = vdoc->getArray("files")->getObject(0);
  BOOST_TEST(vf->getValue<std::string>("file") == raw_file);
  BOOST_TEST(vf->getValue<bool>("valid"));
  BOOST_TEST(vf->getValue<std::string>("message_type") == "Poll_Response");
  BOOST_TEST(vf->getValue<std::string>("version") == version);
  // A broken copy is INVALID: exit 1, also in JSON.
  const std::string broken = m.dir.file("broken.xml");
  spit(broken, raw.out.substr(0, raw.out.size() / 2));
  Run bad = taxii_cli({"validate", "--json", raw_file, broken});
  BOOST_TEST(bad.code == 1, dump(bad));
  auto bdoc = json_of(bad);
  BOOST_TEST(!bdoc->getValue<bool>("ok"));
  BOOST_TEST(bdoc->getArray("files")->getObject(0)->getValue<bool>("valid"));
  BOOST_TEST(!bdoc->getArray("files")->getObject(1)->getValue<bool>("valid"));
  BOOST_TEST(!bdoc->getArray("files")->getObject(1)->getValue<std::string>("error").empty());
  Run badt = taxii_cli({"validate", broken});
  BOOST_TEST(badt.code == 1);
  BOOST_TEST(badt.out.rfind(broken + ": INVALID ", 0) == 0u, badt.out);

  // fulfill, after an asynchronous poll (PENDING, then Poll_Fulfillment): 1.1 only.
  if (m.v10()) {
    m.refused_in_10({"poll", "--url", m.url("poll"), "-c", "default", "--async"});
    m.refused_in_10({"fulfill", "--url", m.url("poll"), "-c", "default", "--result-id", "x"});
    return;
  }
  Run as = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--async", "--json"});
  BOOST_TEST_REQUIRE(as.code == 0, dump(as));
  BOOST_TEST(contains(as.err, "is pending"), as.err);  // the wait is announced
  auto adoc = json_of(as);
  BOOST_TEST(adoc->getValue<int>("pending_waits") >= 1);
  BOOST_TEST(adoc->getValue<int>("block_count") == 7);
  BOOST_TEST(strings(adoc->getArray("blocks"), "timestamp_label") == labels, boost::test_tools::per_element());
  const std::string rid = adoc->getValue<std::string>("result_id");
  BOOST_TEST(!rid.empty());

  Run f2 = m.run({"fulfill", "--url", m.url("poll"), "-c", "default", "--result-id", rid, "--part", "2", "--json"});
  BOOST_TEST_REQUIRE(f2.code == 0, dump(f2));
  auto fdoc = json_of(f2);
  BOOST_TEST(fdoc->getValue<std::string>("command") == "fulfill");
  BOOST_TEST(fdoc->getValue<bool>("more"));
  BOOST_TEST(fdoc->getValue<std::string>("result_id") == rid);
  BOOST_TEST(strings(fdoc->getArray("blocks"), "timestamp_label") ==
                 (std::vector<std::string>(labels.begin() + 3, labels.begin() + 6)), boost::test_tools::per_element());
  const fs::path fout = m.dir.file("fulfilled");
  Run ff = m.run({"fulfill", "--url", m.url("poll"), "-c", "default", "--result-id", rid, "--follow", "-o", fout.string()});
  BOOST_TEST_REQUIRE(ff.code == 0, dump(ff));
  BOOST_TEST(contains(ff.out, "7 blocks ("), ff.out);
  std::vector<fs::path> fgot;
  for (const auto& e : fs::directory_iterator(fout)) fgot.push_back(e.path());
  std::sort(fgot.begin(), fgot.end());
  BOOST_TEST_REQUIRE(fgot.size() == 7u);
  for (size_t i = 0; i < 7; ++i) BOOST_TEST(slurp(fgot[i].string()) == originals[i], fgot[i].filename());
  Run fr = m.run({"fulfill", "--url", m.url("poll"), "-c", "default", "--result-id", rid, "--part", "3", "--raw"});
  BOOST_TEST_REQUIRE(fr.code == 0, dump(fr));
  BOOST_TEST(contains(fr.out, "result_part_number=\"3\""), fr.out.substr(0, 600));
  Run beyond = m.run({"fulfill", "--url", m.url("poll"), "-c", "default", "--result-id", rid, "--part", "9", "--json"});
  BOOST_TEST(beyond.code == 4, dump(beyond));
  BOOST_TEST(contains(beyond.err, "INVALID_RESPONSE_PART"), beyond.err);
  auto bj = json_of(beyond);
  BOOST_TEST(!bj->getValue<bool>("ok"));
  BOOST_TEST(bj->getObject("error")->getValue<std::string>("status_type") == "INVALID_RESPONSE_PART");
  BOOST_TEST(bj->getObject("error")->getValue<std::string>("origin") == "server");
}

BOOST_DATA_TEST_CASE(subscriptions, kCases, version_arg, mode) {
  const std::string version = version_arg;
  Matrix m(version, mode);
  const std::string cm = m.url("collection-management");
  // subscribe (polled delivery).
  Run s = m.sub({"--json"});
  BOOST_TEST_REQUIRE(s.code == 0, dump(s));
  auto sdoc = json_of(s);
  BOOST_TEST(sdoc->getValue<std::string>("command") == "subscribe");
  BOOST_TEST(sdoc->getValue<std::string>("action") == "SUBSCRIBE");
  BOOST_TEST(sdoc->getValue<std::string>("collection") == "default");
  BOOST_TEST_REQUIRE(sdoc->getArray("subscriptions")->size() == 1u);
  auto inst = sdoc->getArray("subscriptions")->getObject(0);
  const std::string id = inst->getValue<std::string>("id");
  BOOST_TEST(id.rfind("urn:uuid:", 0) == 0u, id);
  BOOST_TEST(inst->getValue<std::string>("status") == "ACTIVE");
  BOOST_TEST(inst->isNull("push"));
  const auto polls = strings(inst->getArray("poll_instances"), "address");  // one per listener
  BOOST_TEST((std::find(polls.begin(), polls.end(), m.url("poll")) != polls.end()), inst->getArray("poll_instances")->size());

  // status: with the id, and all of mine (text).
  expect_one_subscription(m.sub({"--action", "status", "--id", id, "--json"}), "STATUS", id, "ACTIVE");
  Run stt = m.sub({"--action", "status"});
  BOOST_TEST_REQUIRE(stt.code == 0, dump(stt));
  BOOST_TEST(contains(stt.out, "subscription " + id + " ACTIVE (collection default)"), stt.out);

  if (!m.v10()) {
    Run pa = m.sub({"--action", "pause", "--id", id, "--json"});
    BOOST_TEST_REQUIRE(pa.code == 0, dump(pa));
    BOOST_TEST(json_of(pa)->getArray("subscriptions")->getObject(0)->getValue<std::string>("status") == "PAUSED");
    Run pt = m.sub({"--action", "status", "--id", id});
    BOOST_TEST(contains(pt.out, "subscription " + id + " PAUSED"), dump(pt));
    Run re = m.sub({"--action", "resume", "--id", id});
    BOOST_TEST_REQUIRE(re.code == 0, dump(re));
    BOOST_TEST(contains(re.out, "subscription " + id + " ACTIVE"), re.out);
    // The subscription delivers what arrived after it.
    const std::string f = m.dir.file("after.xml");
    spit(f, realistic_stix(42));
    BOOST_TEST_REQUIRE(m.run({"push", "--url", m.url("inbox"), f}).code == 0);
    Run sp = m.run({"poll", "--url", m.url("poll"), "-c", "default", "--subscription", id, "--json"});
    BOOST_TEST_REQUIRE(sp.code == 0, dump(sp));
    auto spd = json_of(sp);
    BOOST_TEST(spd->getValue<int>("block_count") == 1);
    BOOST_TEST(spd->getValue<std::string>("subscription_id") == id);
  } else {
    m.refused_in_10({"subscribe", "--url", cm, "-c", "default", "--action", "pause", "--id", id});
    m.refused_in_10({"subscribe", "--url", cm, "-c", "default", "--action", "resume", "--id", id});
    m.refused_in_10({"subscribe", "--url", cm, "-c", "default", "--count-only"});
  }

  // Push delivery (--inbox): the Push_Parameters name it, in the message binding of --taxii.
  // Nothing listens there; the server keeps retrying in the background, harmlessly.
  const std::string inbox = "http://127.0.0.1:9/services/inbox";
  Run ps = m.sub({"--inbox", inbox, "--json"});
  BOOST_TEST_REQUIRE(ps.code == 0, dump(ps));
  const std::string push_id = json_of(ps)->getArray("subscriptions")->getObject(0)->getValue<std::string>("id");
  BOOST_TEST(push_id != id);
  Run pst = m.sub({"--action", "status", "--id", push_id, "--json"});  // 1.0 shows Push_Parameters in STATUS answers
  BOOST_TEST_REQUIRE(pst.code == 0, dump(pst));
  auto pinst = json_of(pst)->getArray("subscriptions")->getObject(0);
  BOOST_TEST_REQUIRE(!pinst->isNull("push"), pst.out);
  BOOST_TEST(pinst->getObject("push")->getValue<std::string>("address") == inbox);
  BOOST_TEST(pinst->getObject("push")->getValue<std::string>("protocol") == "urn:taxii.mitre.org:protocol:http:1.0");
  BOOST_TEST(pinst->getObject("push")->getValue<std::string>("message_binding") == "urn:taxii.mitre.org:message:xml:" + version);
  BOOST_TEST_REQUIRE(m.sub({"--action", "unsubscribe", "--id", push_id}).code == 0);

  // unsubscribe: reported as UNSUBSCRIBED in both versions (TAXII 1.0 states no status; the
  // client derives it from the action it asked for).
  expect_one_subscription(m.sub({"--action", "unsubscribe", "--id", id, "--json"}), "UNSUBSCRIBE", id, "UNSUBSCRIBED");
  // Afterwards it is gone.
  Run after = m.sub({"--action", "status", "--json"});
  BOOST_TEST_REQUIRE(after.code == 0, dump(after));
  BOOST_TEST(json_of(after)->getArray("subscriptions")->size() == 0u, after.out);
  Run aftert = m.sub({"--action", "status"});
  BOOST_TEST(aftert.out == "no subscriptions to 'default'\n", dump(aftert));
  // Unknown collection: NOT_FOUND, exit 4.
  Run nf = m.run({"subscribe", "--url", cm, "-c", "no-such", "--json"});
  BOOST_TEST(nf.code == 4, dump(nf));
  BOOST_TEST(contains(nf.err, "NOT_FOUND"), nf.err);
  BOOST_TEST(json_of(nf)->getObject("error")->getValue<std::string>("status_type") == "NOT_FOUND");
}
