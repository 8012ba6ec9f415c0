// The `taxii2` program (TAXII 2.1 CLI, docs/cli.md "TAXII 2.1") run as a process against a
// scripted server on 127.0.0.1: --help of every command, usage errors, a refused connection,
// 401/404 error resources, an unusable answer, paging into a file, add with batches,
// max_content_length, status waiting, refused objects, and the exit codes.
#define BOOST_TEST_MODULE taxii2_cli
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "tests/cli/cli_runner.hpp"
#include "tests/support/loopback.hpp"
#include "tests/cli/fake_http21.hpp"

using namespace taxii::clitest;

namespace {

std::string tmp_file(const std::string& name) {
  return std::filesystem::temp_directory_path().string() + "/taxii2-cli-" + std::to_string(::getpid()) + "-" + name;
}

std::string object_json(int i) {
  return R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)" +
         std::string(12 - std::to_string(i).size(), '0') + std::to_string(i) +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z"})";
}

std::string bundle_of(int n) {
  std::string s = R"({"type":"bundle","id":"bundle--1","objects":[)";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + object_json(i);
  return s + "]}";
}

using taxii::testsupport::closed_port;

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

std::string status_json(const std::string& id, const std::string& status, int total, int ok, int failed, int pending) {
  std::string s = R"({"id":")" + id + R"(","status":")" + status + R"(","total_count":)" + std::to_string(total) +
                  R"(,"success_count":)" + std::to_string(ok) + R"(,"failure_count":)" + std::to_string(failed) +
                  R"(,"pending_count":)" + std::to_string(pending);
  if (failed > 0) s += R"(,"failures":[{"id":"indicator--x","version":"v","message":"refused: no pattern"}])";
  return s + "}";
}

const char* kApiRoot = R"({"title":"Root","versions":["application/taxii+json;version=2.1"],"max_content_length":100000})";

}  // namespace

BOOST_AUTO_TEST_CASE(help_of_every_command_and_usage_errors) {
  for (const char* c : {"discover", "collections", "get", "add", "status", "manifest", "versions", "delete"}) {
    auto r = taxii_cli({c, "--help"});
    BOOST_TEST(r.code == 0, dump(r));
    BOOST_TEST(contains(r.out, std::string("usage: taxii2 ") + c), dump(r));
    BOOST_TEST(contains(r.out, "Exit status:"), dump(r));
    BOOST_TEST(contains(r.out, "--url URL"), dump(r));
  }
  auto r = taxii_cli({"--help"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(contains(r.out, "manifest"));
  BOOST_TEST(taxii_cli({}).code == 2);
  r = taxii_cli({"poll"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "not a taxii2 command"), dump(r));
  r = taxii_cli({"get", "--collection", "c"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "taxii2 get: give the server's --url"), dump(r));
  r = taxii_cli({"get", "--url", "ftp://x/", "--collection", "c"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "--url"), dump(r));
  BOOST_TEST(taxii_cli({"get", "--url", "http://127.0.0.1:1/a/"}).code == 2);  // no --collection
  BOOST_TEST(taxii_cli({"get", "--url", "http://127.0.0.1:1/a/", "--collection", "c", "--limit", "0"}).code == 2);
  r = taxii_cli({"get", "--url", "http://127.0.0.1:1/a/", "--collection", "c", "--added-after", "yesterday"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "RFC 3339"), dump(r));
  BOOST_TEST(taxii_cli({"versions", "--url", "http://127.0.0.1:1/a/", "--collection", "c"}).code == 2);  // no --id
  BOOST_TEST(taxii_cli({"add", "--url", "http://127.0.0.1:1/a/", "--collection", "c"}).code == 2);      // no files
  BOOST_TEST(taxii_cli({"get", "--url", "http://127.0.0.1:1/a/", "--collection", "c", "--bogus"}).code == 2);
}

BOOST_AUTO_TEST_CASE(refused_connection_is_exit_3_with_a_json_error) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/api/";
  auto r = taxii_cli({"collections", "--url", url});
  BOOST_TEST(r.code == 3, dump(r));
  BOOST_TEST(contains(r.err, "taxii2 collections: "), dump(r));
  r = taxii_cli({"collections", "--url", url, "--json"});
  BOOST_TEST(r.code == 3, dump(r));
  auto j = json_of(r);
  BOOST_TEST(!j->getValue<bool>("ok"));
  BOOST_TEST(j->getObject("error")->getValue<std::string>("origin") == "transport");
}

BOOST_AUTO_TEST_CASE(error_resources_401_and_404_are_shown_and_exit_4) {
  FakeHttp21 server([](const FakeRequest& r) {
    if (r.header("authorization").empty())
      return FakeResponse{401, R"({"title":"Unauthorized","description":"credentials required","http_status":"401"})",
                          {{"WWW-Authenticate", "Basic realm=\"taxii\""}}};
    if (r.target == "/api/") return FakeResponse{200, kApiRoot};
    return FakeResponse{404, R"({"title":"Not Found","description":"no collection 'zzz'","http_status":"404","error_id":"e-1"})"};
  });
  auto r = taxii_cli({"collections", "--url", server.url("/api/")});
  BOOST_TEST(r.code == 4, dump(r));
  BOOST_TEST(contains(r.err, "HTTP 401"), dump(r));
  BOOST_TEST(contains(r.err, "Unauthorized: credentials required"), dump(r));
  BOOST_TEST(contains(r.err, "--user"), dump(r));
  RunOptions env;
  env.env = {"TAXII_USER=u", "TAXII_PASSWORD=p"};
  r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "zzz", "--json"}, env);
  BOOST_TEST(r.code == 4, dump(r));
  auto j = json_of(r);
  BOOST_TEST(!j->getValue<bool>("ok"));
  auto e = j->getObject("error");
  BOOST_TEST(e->getValue<int>("http_status") == 404);
  BOOST_TEST(e->getObject("resource")->getValue<std::string>("title") == "Not Found");
  BOOST_TEST(e->getObject("resource")->getValue<std::string>("description") == "no collection 'zzz'");
  BOOST_TEST(e->getObject("resource")->getValue<std::string>("error_id") == "e-1");
  BOOST_TEST(contains(r.err, "no collection 'zzz'"), dump(r));
  const auto reqs = server.requests();
  BOOST_TEST(reqs.back().header("authorization") == "Basic dTpw");  // from $TAXII_USER / $TAXII_PASSWORD
}

BOOST_AUTO_TEST_CASE(an_answer_that_is_not_json_is_exit_3) {
  FakeHttp21 server([](const FakeRequest&) { return FakeResponse{200, "<html>hello</html>", {}, "text/html"}; });
  auto r = taxii_cli({"discover", "--url", server.url("/")});
  BOOST_TEST(r.code == 3, dump(r));
  BOOST_TEST(contains(r.err, "not JSON"), dump(r));
  BOOST_TEST(server.requests().at(0).target == "/taxii2/");  // --url https://host/ asks /taxii2/
}

BOOST_AUTO_TEST_CASE(get_follows_pages_into_a_file_and_shows_progress_free_json) {
  FakeHttp21 server([](const FakeRequest& r) {
    if (r.target.find("next=p2") != std::string::npos)
      return FakeResponse{200, R"({"objects":[)" + object_json(2) + "]}", {{"X-TAXII-Date-Added-Last", "2024-01-03T00:00:00.000000Z"}}};
    return FakeResponse{200, R"({"more":true,"next":"p2","objects":[)" + object_json(0) + "," + object_json(1) + "]}",
                        {{"X-TAXII-Date-Added-First", "2024-01-01T00:00:00.000000Z"}}};
  });
  const std::string out = tmp_file("get.json");
  auto r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c", "--limit", "2", "-o", out, "--json"});
  BOOST_TEST(r.code == 0, dump(r));
  auto j = json_of(r);
  BOOST_TEST(j->getValue<int>("count") == 3);
  BOOST_TEST(j->getValue<int>("pages") == 2);
  BOOST_TEST(j->getValue<std::string>("date_added_last") == "2024-01-03T00:00:00.000000Z");
  auto env = Poco::JSON::Parser().parse(slurp(out)).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(env->getArray("objects")->size() == 3u);
  // Text to stdout: the envelope; one page only with --no-follow, and where to go on.
  r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c", "--no-follow"});
  BOOST_TEST(r.code == 0, dump(r));
  BOOST_TEST(Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("objects")->size() == 2u);
  BOOST_TEST(contains(r.err, "--next p2"), dump(r));
  // An output that cannot be written: exit 5 (and --json still ends its document).
  r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c", "-o", "/dev/full", "--json"});
  BOOST_TEST(r.code == 5, dump(r));
  BOOST_TEST(json_of(r)->getObject("error")->getValue<std::string>("origin") == "local");
  std::filesystem::remove(out);
}

BOOST_AUTO_TEST_CASE(add_cuts_batches_waits_for_status_and_reports_refusals) {
  int posts = 0, polls = 0;
  bool refuse = false;
  FakeHttp21 server([&](const FakeRequest& r) {
    if (r.method == "GET" && r.target == "/api/") return FakeResponse{200, kApiRoot};
    if (r.method == "POST") {
      ++posts;
      const int n = static_cast<int>(count_of(r.body, "\"type\":\"indicator\""));
      if (refuse) return FakeResponse{202, status_json("s" + std::to_string(posts), "complete", n, n - 1, 1, 0)};
      return FakeResponse{202, status_json("s" + std::to_string(posts), "pending", n, 0, 0, n)};
    }
    ++polls;  // GET status: complete on the first poll (except s-never)
    if (r.target.find("never") != std::string::npos) return FakeResponse{200, status_json("never", "pending", 1, 0, 0, 1)};
    return FakeResponse{200, status_json("s", "complete", 2, 2, 0, 0)};
  });
  const std::string file = tmp_file("bundle.json");
  spit(file, bundle_of(5));
  auto r = taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", "--batch", "2", file, "--json"});
  BOOST_TEST(r.code == 0, dump(r));
  BOOST_TEST(posts == 3);
  BOOST_TEST(polls == 3);
  auto j = json_of(r);
  BOOST_TEST(j->getArray("envelopes")->size() == 3u);
  BOOST_TEST(j->getValue<int>("success_count") == 6);  // what the (scripted) statuses say
  for (const auto& req : server.requests())
    if (req.method == "POST") BOOST_TEST(req.header("content-type") == "application/taxii+json;version=2.1");

  RunOptions from_stdin;  // '-' reads stdin
  from_stdin.stdin_file = file;
  r = taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", "--batch", "5", "-", "--no-wait"}, from_stdin);
  BOOST_TEST(r.code == 0, dump(r));  // pending, not waited for
  BOOST_TEST(posts == 4);
  BOOST_TEST(polls == 3);
  BOOST_TEST(contains(r.out, "5 pending"), dump(r));

  refuse = true;
  r = taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", file});
  BOOST_TEST(r.code == 4, dump(r));  // the server refused objects
  BOOST_TEST(contains(r.out, "refused: no pattern"), dump(r));

  r = taxii_cli({"status", "--url", server.url("/api/"), "--id", "never", "--wait", "--wait-timeout", "1"});
  BOOST_TEST(r.code == 6, dump(r));  // still pending
  BOOST_TEST(contains(r.out, "pending"), dump(r));

  spit(file, "{not json");
  r = taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", file});
  BOOST_TEST(r.code == 5, dump(r));
  BOOST_TEST(contains(r.err, "not JSON"), dump(r));
  BOOST_TEST(taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", tmp_file("missing")}).code == 5);
  std::filesystem::remove(file);
}

BOOST_AUTO_TEST_CASE(add_respects_max_content_length) {
  std::vector<size_t> sizes;
  FakeHttp21 server([&](const FakeRequest& r) {
    if (r.method == "GET")
      return FakeResponse{200, R"({"title":"Small","versions":["application/taxii+json;version=2.1"],"max_content_length":600})"};
    sizes.push_back(r.body.size());
    return FakeResponse{202, status_json("s", "complete", 1, 1, 0, 0)};
  });
  const std::string file = tmp_file("big.json");
  spit(file, bundle_of(10));
  auto r = taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", "--batch", "100", file});
  BOOST_TEST(r.code == 0, dump(r));
  BOOST_TEST(sizes.size() > 1u);
  for (size_t s : sizes) BOOST_TEST(s <= 600u);
  // An object too large on its own: exit 5, and nothing of that file is sent.
  const size_t posts = sizes.size();
  spit(file, R"({"objects":[)" + object_json(1) + R"(,{"type":"note","id":"note--1","content":")" + std::string(700, 'x') + "\"}]}");
  r = taxii_cli({"add", "--url", server.url("/api/"), "--collection", "c", file});
  BOOST_TEST(r.code == 5, dump(r));
  BOOST_TEST(contains(r.err, "max_content_length"), dump(r));
  BOOST_TEST(sizes.size() == posts);
  std::filesystem::remove(file);
}

BOOST_AUTO_TEST_CASE(progress_line_on_a_terminal_only) {
  // Six pages, 300 ms each: the progress line appears after the first second (stderr a tty).
  FakeHttp21 server([](const FakeRequest& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const size_t at = r.target.find("next=");
    const int page = at == std::string::npos ? 0 : std::stoi(r.target.substr(at + 5));
    std::string body = R"({"objects":[)" + object_json(page) + "]";
    if (page < 5) body += R"(,"more":true,"next":")" + std::to_string(page + 1) + "\"";
    return FakeResponse{200, body + "}"};
  });
  RunOptions tty;
  tty.stderr_tty = true;
  auto r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c", "-o", "/dev/null"}, tty);
  BOOST_TEST(r.code == 0, dump(r));
  BOOST_TEST(contains(r.err, "get: "), dump(r));
  BOOST_TEST(contains(r.err, " objects, "), dump(r));
  r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c", "-o", "/dev/null"});
  BOOST_TEST(r.code == 0, dump(r));
  BOOST_TEST(!contains(r.err, " objects, "), dump(r));  // not a terminal: no progress line
}

BOOST_AUTO_TEST_CASE(a_failing_later_page_keeps_what_arrived_well_formed) {
  FakeHttp21 server([](const FakeRequest& r) {
    if (r.target.find("next=") != std::string::npos)
      return FakeResponse{503, R"({"title":"Unavailable","description":"try later","http_status":"503"})"};
    return FakeResponse{200, R"({"more":true,"next":"x","objects":[)" + object_json(0) + "," + object_json(1) + "]}"};
  });
  auto r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c"});
  BOOST_TEST(r.code == 4, dump(r));
  BOOST_TEST(contains(r.err, "HTTP 503"), dump(r));
  BOOST_TEST(Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("objects")->size() == 2u);
  r = taxii_cli({"get", "--url", server.url("/api/"), "--collection", "c", "--json"});
  BOOST_TEST(r.code == 4, dump(r));
  auto j = json_of(r);
  BOOST_TEST(!j->getValue<bool>("ok"));
  BOOST_TEST(j->getArray("objects")->size() == 2u);  // those received before the failure
  BOOST_TEST(j->getObject("error")->getValue<int>("http_status") == 503);
}
