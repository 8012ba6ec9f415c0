// TAXII 2.1 on a real taxiid (issue #22, docs/taxii21.md): discovery, API roots, collections,
// content negotiation, the error resource on every error, trailing "/", HEAD, 405, 413, 415,
// and authentication / authorization with the 1.x accounts (anonymous, Basic, client
// certificates). Case names that start with "interop_" cover a server requirement of the
// TAXII 2.1 Interoperability Test Document (docs/taxii21.md, "Interoperability").
#define BOOST_TEST_MODULE wire_taxii21
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "tests/wire/wire_fixture.hpp"
#include "tests/wire/wire_taxii21_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::t21;

namespace {

ServerSpec open_spec() {
  ServerSpec s;
  s.extra_yaml = taxii2_yaml();
  return s;
}

struct Open : ServerFixture {
  Open() : ServerFixture(open_spec()) {}
  Reply get(const std::string& path, Headers h = {}) {
    Client c(server.http_port());
    return request(c, "GET", path, "", std::move(h));
  }
};

std::string hash(const std::string& pw) { return *auth::hash_password(pw, 1000); }

// alice reads c1 and c3; bob writes c1 only; anonymous reads c3; c2 has no permissions (any
// authenticated user). svc comes with the client certificate and is in @analysts (reads c1).
ServerSpec auth_spec() {
  ServerSpec s;
  s.tls = true;
  s.client_certificates = "optional";
  s.extra_yaml = taxii2_yaml({"{read: [alice, '@analysts'], write: [bob]}", "", "{read: [alice, anonymous], write: []}"}) +
                 "auth:\n  allow_basic_over_http: true\n  users:\n"
                 "    - {name: alice, password_hash: '" + hash("alice-pw") + "'}\n"
                 "    - {name: bob, password_hash: '" + hash("bob-pw") + "'}\n"
                 "    - {name: svc, groups: [analysts]}\n"
                 "  client_certificates:\n    map: [{subject: 'CN=wire test client, O=taxii', user: svc}]\n";
  return s;
}

struct Secured : ServerFixture {
  Secured() : ServerFixture(auth_spec()) {}
  Reply get(const std::string& path, const std::string& user_pw = "", const std::string& method = "GET") {
    Client c(server.http_port());
    return request(c, method, path, "", {{"Authorization", user_pw.empty() ? "" : basic(user_pw)}});
  }
};

// Sends a POST head declaring `length` body bytes and no body; the answer the server gives from
// the head alone (its gate), or "" when none comes within 5 s.
std::string answer_to_head_only(uint16_t port, const std::string& path, std::size_t length,
                                const std::string& extra = "") {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(1, 0));
  const std::string head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + kMedia +
                           "\r\nContent-Type: " + kMedia + "\r\n" + extra +
                           "Content-Length: " + std::to_string(length) + "\r\n\r\n";
  s.sendBytes(head.data(), static_cast<int>(head.size()));
  std::string buf;
  const auto answers = raw::read_answers(s, buf, 1, std::chrono::seconds(5));
  return answers.empty() ? std::string() : answers[0];
}

std::vector<std::string> collection_ids(const Reply& r) {
  std::vector<std::string> out;
  Json j(r.body);
  if (!j.has("collections")) return out;
  for (auto c : simdjson::dom::array(j["collections"])) out.emplace_back(std::string_view(c["id"]));
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(open_server, Open)

BOOST_AUTO_TEST_CASE(discovery_lists_the_roots_and_the_default) {
  const Reply r = get("/taxii2/");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.header("Content-Type") == kMedia);
  Json j(r.body);
  BOOST_TEST(j.str("title") == "wire taxiid");
  BOOST_TEST(j.str("contact") == "ops@example.com");
  BOOST_TEST(j.str("default") == "/api1/");
  auto roots = simdjson::dom::array(j["api_roots"]);
  BOOST_TEST(roots.size() == 2u);
  BOOST_TEST(std::string_view(roots.at(1)) == "/taxii2/empty/");
}

BOOST_AUTO_TEST_CASE(api_root_information) {
  const Reply r = get("/api1/");
  BOOST_TEST(r.status == 200);
  Json j(r.body);
  BOOST_TEST(j.str("title") == "Root one");
  BOOST_TEST(std::string_view(simdjson::dom::array(j["versions"]).at(0)) == kMedia);
  BOOST_TEST(int64_t(j["max_content_length"]) == 20000);
}

BOOST_AUTO_TEST_CASE(interop_collections_sorted_by_id_with_rights) {
  const Reply r = get("/api1/collections/");
  BOOST_TEST(r.status == 200);
  const std::vector<std::string> want{kC2, kC1, kC3};  // by id
  BOOST_TEST(collection_ids(r) == want, r.body);
  Json j(r.body);
  auto first = simdjson::dom::array(j["collections"]).at(0);
  BOOST_TEST(bool(first["can_read"]));
  BOOST_TEST(bool(first["can_write"]));
  BOOST_TEST(std::string_view(first["alias"]) == "two");
  BOOST_TEST(std::string_view(simdjson::dom::array(first["media_types"]).at(0)) == "application/stix+json;version=2.1");
  BOOST_TEST(get("/taxii2/empty/collections/").body == "{}");
}

BOOST_AUTO_TEST_CASE(collection_by_id_and_by_alias) {
  for (const std::string& name : {std::string(kC1), std::string("one")}) {
    const Reply r = get("/api1/collections/" + name + "/");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(Json(r.body).str("id") == kC1);
  }
  const Reply missing = get("/api1/collections/01234567-89ab-4def-8123-456789abcdef/");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(is_error_resource(missing), missing.body);
}

BOOST_AUTO_TEST_CASE(paths_without_the_final_slash_name_the_same_resource) {
  BOOST_TEST(get("/taxii2").body == get("/taxii2/").body);
  BOOST_TEST(get("/api1/collections/one").body == get("/api1/collections/one/").body);
  BOOST_TEST(get("/api1").status == 200);
}

BOOST_AUTO_TEST_CASE(accept_negotiation_406_with_an_error_resource) {
  for (const char* ok : {"application/taxii+json", "application/taxii+json; version=2.1", "*/*",
                         "application/json, text/plain, */*"})
    BOOST_TEST(get("/taxii2/", {{"Accept", ok}}).status == 200, ok);
  BOOST_TEST(get("/taxii2/", {{"Accept", ""}}).status == 200);  // no Accept: served (docs/taxii21.md)
  for (const char* bad : {"application/taxii+json;version=2.0", "application/vnd.oasis.taxii+json", "text/html"}) {
    const Reply r = get("/api1/collections/", {{"Accept", bad}});
    BOOST_TEST(r.status == 406, bad);
    BOOST_TEST(is_error_resource(r), r.body);
  }
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_methods_get_error_resources) {
  const Reply nothing = get("/taxii2/nowhere/");
  BOOST_TEST(nothing.status == 404);
  BOOST_TEST(is_error_resource(nothing), nothing.body);
  Client c(server.http_port());
  const Reply post = request(c, "POST", "/api1/collections/", "{}");
  BOOST_TEST(post.status == 405);
  BOOST_TEST(post.header("Allow") == "GET, HEAD");
  BOOST_TEST(is_error_resource(post), post.body);
  Client c2(server.http_port());
  const Reply put = request(c2, "PUT", "/api1/collections/one/objects/", "{}");
  BOOST_TEST(put.status == 405);
  BOOST_TEST(put.header("Allow") == "GET, HEAD, POST");
}

BOOST_AUTO_TEST_CASE(head_answers_without_a_body) {
  Client c(server.http_port());
  const Reply r = request(c, "HEAD", "/api1/collections/");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.empty());
  BOOST_TEST(r.header("Content-Type") == kMedia);
}

BOOST_AUTO_TEST_CASE(post_with_another_content_type_is_415) {
  for (const char* ct : {"application/json", "application/taxii+json;version=2.0", "application/stix+json;version=2.1"}) {
    Client c(server.http_port());
    const Reply r = request(c, "POST", "/api1/collections/one/objects/", "{\"objects\":[]}", {{"Content-Type", ct}});
    BOOST_TEST(r.status == 415, ct);
    BOOST_TEST(is_error_resource(r), r.body);
  }
}

BOOST_AUTO_TEST_CASE(a_body_over_max_content_length_is_413_before_it_is_read) {
  Client c(server.http_port());
  const Reply r = request(c, "POST", "/api1/collections/one/objects/", std::string(20001, ' '));
  BOOST_TEST(r.status == 413);
  BOOST_TEST(is_error_resource(r), r.body);
}

BOOST_AUTO_TEST_CASE(a_body_on_a_get_is_ignored_and_the_connection_closed) {
  for (const char* path : {"/taxii2/", "/api1/collections/one/objects/", "/api1/status/x/"}) {
    Client c(server.http_port());
    const Reply r = request(c, "GET", path, std::string(50000, 'x'));
    BOOST_TEST((r.status == 200 || r.status == 404), path << " " << r.status);
    BOOST_TEST(r.header("Connection") == "Close", path);
  }
  BOOST_TEST(get("/taxii2/").status == 200);  // still serving
}

BOOST_AUTO_TEST_CASE(a_declared_length_over_max_content_length_is_413_from_the_head) {
  const std::string a = answer_to_head_only(server.http_port(), "/api1/collections/one/objects/", 30000);
  BOOST_TEST(a.rfind("HTTP/1.1 413", 0) == 0u, a);
  BOOST_TEST(a.find("\"http_status\":\"413\"") != std::string::npos, a);
}

BOOST_AUTO_TEST_CASE(interop_requests_without_user_agent_are_served) {
  const Reply r = get("/taxii2/", {{"User-Agent", ""}});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(get("/taxii2/", {{"User-Agent", "taxii2-client/2.3.0"}}).status == 200);
}

BOOST_AUTO_TEST_CASE(taxii_1x_and_health_still_answer_beside_21) {
  Client c(server.http_port());
  BOOST_TEST(c.post("/health", "", {}, "GET").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(secured_server, Secured)

BOOST_AUTO_TEST_CASE(interop_401_carries_a_basic_challenge) {
  const Reply r = get("/api1/collections/two/");  // c2: authenticated users only
  BOOST_TEST(r.status == 401);
  BOOST_TEST(r.header("WWW-Authenticate").rfind("Basic realm=", 0) == 0u, r.header("WWW-Authenticate"));
  BOOST_TEST(is_error_resource(r), r.body);
  const Reply wrong = get("/api1/collections/", "alice:nope");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(!wrong.header("WWW-Authenticate").empty());
}

BOOST_AUTO_TEST_CASE(unauthenticated_posts_are_401_before_the_body_is_read) {
  const std::string a = answer_to_head_only(server.http_port(), "/api1/collections/one/objects/", 5000);
  BOOST_TEST(a.rfind("HTTP/1.1 401", 0) == 0u, a);
  BOOST_TEST(a.find("WWW-Authenticate: Basic") != std::string::npos, a);
  const std::string wrong = answer_to_head_only(server.http_port(), "/api1/collections/one/objects/", 5000,
                                                "Authorization: " + basic("bob:nope") + "\r\n");
  BOOST_TEST(wrong.rfind("HTTP/1.1 401", 0) == 0u, wrong);
  const std::string denied = answer_to_head_only(server.http_port(), "/api1/collections/one/objects/", 5000,
                                                 "Authorization: " + basic("alice:alice-pw") + "\r\n");
  BOOST_TEST(denied.rfind("HTTP/1.1 403", 0) == 0u, denied);
}

BOOST_AUTO_TEST_CASE(anonymous_sees_what_anonymous_may_read) {
  const Reply d = get("/taxii2/");
  BOOST_TEST(d.status == 200);  // c3 is anonymously readable: /api1/ is listed, the empty root not
  BOOST_TEST(simdjson::dom::array(Json(d.body)["api_roots"]).size() == 1u);
  const std::vector<std::string> want{kC3};
  BOOST_TEST(collection_ids(get("/api1/collections/")) == want);
  const Reply c3 = get("/api1/collections/three/");
  Json j(c3.body);
  BOOST_TEST(bool(j["can_read"]));
  BOOST_TEST(!bool(j["can_write"]));
}

BOOST_AUTO_TEST_CASE(collections_carry_can_read_and_can_write_per_requester) {
  const std::vector<std::string> alice{kC2, kC1, kC3}, bob{kC2, kC1};
  BOOST_TEST(collection_ids(get("/api1/collections/", "alice:alice-pw")) == alice);
  BOOST_TEST(collection_ids(get("/api1/collections/", "bob:bob-pw")) == bob);
  Json j(get("/api1/collections/one/", "bob:bob-pw").body);
  BOOST_TEST(!bool(j["can_read"]));
  BOOST_TEST(bool(j["can_write"]));
  Json k(get("/api1/collections/one/", "alice:alice-pw").body);
  BOOST_TEST(bool(k["can_read"]));
  BOOST_TEST(!bool(k["can_write"]));
}

BOOST_AUTO_TEST_CASE(a_collection_without_rights_is_404_to_users_and_401_to_anonymous) {
  const Reply bob = get("/api1/collections/three/", "bob:bob-pw");
  BOOST_TEST(bob.status == 404);
  BOOST_TEST(is_error_resource(bob), bob.body);
  BOOST_TEST(get("/api1/collections/one/").status == 401);
  BOOST_TEST(get("/taxii2/empty/", "alice:alice-pw").status == 200);
  BOOST_TEST(get("/taxii2/empty/").status == 401);
}

BOOST_AUTO_TEST_CASE(interop_can_read_false_on_get_objects_is_403) {
  for (const char* path : {"/api1/collections/one/objects/", "/api1/collections/one/manifest/",
                           "/api1/collections/one/objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/",
                           "/api1/collections/one/objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/versions/"}) {
    const Reply r = get(path, "bob:bob-pw");
    BOOST_TEST(r.status == 403, path);
    BOOST_TEST(is_error_resource(r), r.body);
  }
}

BOOST_AUTO_TEST_CASE(interop_can_write_false_on_add_objects_is_403) {
  Client c(server.http_port());
  const Reply r = request(c, "POST", "/api1/collections/one/objects/", "{\"objects\":[{}]}",
                          {{"Authorization", basic("alice:alice-pw")}});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(is_error_resource(r), r.body);
}

BOOST_AUTO_TEST_CASE(delete_with_one_right_missing_is_403) {
  // TAXII 2.1 §5.7: exactly one of can_read / can_write false -> 403; both false -> 404.
  const std::string obj = "/api1/collections/one/objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/";
  BOOST_TEST(get(obj, "alice:alice-pw", "DELETE").status == 403);
  BOOST_TEST(get(obj, "bob:bob-pw", "DELETE").status == 403);
  BOOST_TEST(get("/api1/collections/three/objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/", "bob:bob-pw",
                 "DELETE").status == 404);
}

BOOST_AUTO_TEST_CASE(an_api_token_is_the_account_it_belongs_to) {
  const std::string out = server.dir().file("token.txt");
  const std::string cmd = std::string(TAXIID_PATH) + " user token add alice --config " +
                          server.dir().file("taxiid.yaml") + " >" + out + " 2>/dev/null";
  BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(out);
  std::string token;
  std::getline(in, token);
  BOOST_TEST_REQUIRE(!token.empty());
  Client c(server.http_port());
  const Reply r = request(c, "GET", "/api1/collections/", "", {{"Authorization", "Bearer " + token}});
  const std::vector<std::string> alice{kC2, kC1, kC3};
  BOOST_TEST(collection_ids(r) == alice, r.body);
  Client d(server.http_port());
  const Reply bad = request(d, "GET", "/api1/collections/", "", {{"Authorization", "Bearer not-a-token"}});
  BOOST_TEST(bad.status == 401);
  BOOST_TEST(bad.header("WWW-Authenticate").find("Bearer realm=") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_authenticates_over_https) {
  Client c(server.https_port(), client_context(server.pki(), true));
  const std::vector<std::string> want{kC2, kC1};  // svc: @analysts reads c1; c2 is open to any user
  BOOST_TEST(collection_ids(request(c, "GET", "/api1/collections/")) == want);
  Client anon(server.https_port(), client_context(server.pki(), false));
  const std::vector<std::string> none{kC3};
  BOOST_TEST(collection_ids(request(anon, "GET", "/api1/collections/")) == none);
}

BOOST_AUTO_TEST_SUITE_END()
