// TAXII 2.1 objects on a real taxiid and its real store (SQLite; PostgreSQL in the _pg
// variant): Add Objects with its status, Get Objects with each filter and paging with `next`,
// manifest, object by id, versions, DELETE, the X-TAXII-Date-Added-* headers, the errors of
// these endpoints (400, 404, 413 on a chunked body, 422), statuses per requester. Case names
// that start with "interop_" cover a server requirement of the TAXII 2.1 Interoperability Test
// Document (docs/taxii21.md, "Interoperability").
#define BOOST_TEST_MODULE wire_taxii21_objects
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "tests/wire/wire_fixture.hpp"
#include "tests/wire/wire_taxii21_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::t21;

namespace {

const std::string kObjects = std::string("/api1/collections/") + kC1 + "/objects/";
const std::string kManifest = std::string("/api1/collections/") + kC1 + "/manifest/";

std::string id_of(int n) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return id;
}
std::string ind(int n, const std::string& modified = "2024-01-01T00:00:00.000Z") {
  return "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + id_of(n) +
         "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"" + modified +
         "\",\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
         "\"2024-01-01T00:00:00Z\"}";
}
std::string envelope(const std::vector<std::string>& objs) {
  std::string s = "{\"objects\":[";
  for (std::size_t i = 0; i < objs.size(); ++i) s += (i ? "," : "") + objs[i];
  return s + "]}";
}

std::string hash(const std::string& pw) { return *auth::hash_password(pw, 1000); }

// c1 open to alice and bob (read and write); anonymous nothing.
ServerSpec spec() {
  ServerSpec s;
  s.extra_yaml = taxii2_yaml({"{read: [alice, bob], write: [alice, bob]}"}) +
                 "auth:\n  allow_basic_over_http: true\n  users:\n"
                 "    - {name: alice, password_hash: '" + hash("alice-pw") + "'}\n"
                 "    - {name: bob, password_hash: '" + hash("bob-pw") + "'}\n";
  return s;
}

struct Objects : ServerFixture {
  Objects() : ServerFixture(spec()) {}
  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& user = "alice:alice-pw") {
    Client c(server.http_port());
    return request(c, method, path, body, {{"Authorization", basic(user)}});
  }
  Reply add(const std::vector<std::string>& objs, const std::string& user = "alice:alice-pw") {
    Reply r = call("POST", kObjects, envelope(objs), user);
    BOOST_TEST(r.status == 202, r.body);
    return r;
  }
  std::size_t count(const std::string& query) {
    Reply r = call("GET", kObjects + query);
    BOOST_TEST_REQUIRE(r.status == 200, query << ": " << r.body);
    Json j(r.body);
    return j.has("objects") ? simdjson::dom::array(j["objects"]).size() : 0;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(objects, Objects)

BOOST_AUTO_TEST_CASE(add_objects_202_status_and_get_status_per_requester) {
  const Reply r = add({ind(1), ind(2), "{\"type\":\"indicator\"}"});
  BOOST_TEST(r.header("Content-Type") == kMedia);
  Json j(r.body);
  BOOST_TEST(j.str("status") == "complete");
  BOOST_TEST(int64_t(j["total_count"]) == 3);
  BOOST_TEST(int64_t(j["success_count"]) == 2);
  BOOST_TEST(int64_t(j["failure_count"]) == 1);
  const std::string status = "/api1/status/" + j.str("id") + "/";
  const Reply mine = call("GET", status);
  BOOST_TEST(mine.status == 200);
  BOOST_TEST(mine.body == r.body);
  const Reply theirs = call("GET", status, "", "bob:bob-pw");  // another requester's status
  BOOST_TEST(theirs.status == 404);
  BOOST_TEST(is_error_resource(theirs), theirs.body);
}

BOOST_AUTO_TEST_CASE(interop_duplicates_are_successes) {
  add({ind(1)});
  const Reply again = add({ind(1)});
  Json j(again.body);
  BOOST_TEST(int64_t(j["success_count"]) == 1);
  BOOST_TEST(int64_t(j["failure_count"]) == 0);
  BOOST_TEST(count("?match[version]=all") == 1u);
}

BOOST_AUTO_TEST_CASE(objects_pages_follow_next_over_date_added_ties) {
  // One POST: the store may give its objects one date_added; pages split that tie and `next`
  // (a keyset on date_added, id, version) still visits each object once.
  std::vector<std::string> batch;
  for (int i = 1; i <= 12; ++i) batch.push_back(ind(i));
  add(batch);
  std::set<std::string> seen;
  std::string next, last_seen;
  int pages = 0;
  for (; pages < 20; ++pages) {
    const Reply r = call("GET", kObjects + "?limit=5" + (next.empty() ? "" : "&next=" + next));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    const std::string first = r.header("X-TAXII-Date-Added-First"), last = r.header("X-TAXII-Date-Added-Last");
    BOOST_TEST(first.size() == 27u);
    BOOST_TEST(first <= last);
    BOOST_TEST(last_seen <= first);  // pages in date_added order
    last_seen = last;
    Json j(r.body);
    for (auto o : simdjson::dom::array(j["objects"])) seen.insert(std::string(std::string_view(o["id"])));
    if (!bool(j["more"])) break;
    next = j.str("next");
  }
  BOOST_TEST(pages == 2);
  BOOST_TEST(seen.size() == 12u);
  // limit above max_page (5 in this configuration) is capped and more is set.
  const Reply capped = call("GET", kObjects + "?limit=50");
  BOOST_TEST(simdjson::dom::array(Json(capped.body)["objects"]).size() == 5u);
  BOOST_TEST(bool(Json(capped.body)["more"]));
}

BOOST_AUTO_TEST_CASE(each_filter_on_the_store) {
  add({ind(1, "2024-01-01T00:00:00.000Z"), ind(2)});
  const std::string after = call("GET", kObjects).header("X-TAXII-Date-Added-Last");
  add({ind(1, "2024-02-01T00:00:00.000Z"),
       "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\","
       "\"value\":\"10.0.0.1\"}"});
  BOOST_TEST(count("") == 3u);
  BOOST_TEST(count("?match[version]=all") == 4u);
  BOOST_TEST(count("?match[version]=first") == 3u);
  BOOST_TEST(count("?match[version]=2024-02-01T00:00:00Z") == 1u);
  BOOST_TEST(count("?match[type]=ipv4-addr") == 1u);
  BOOST_TEST(count("?match%5Btype%5D=indicator") == 2u);
  BOOST_TEST(count("?match[id]=" + id_of(2)) == 1u);
  BOOST_TEST(count("?added_after=" + after) == 2u);
  BOOST_TEST(count("?match[spec_version]=2.1") == 3u);
  BOOST_TEST(count("?match[spec_version]=2.0") == 0u);
}

BOOST_AUTO_TEST_CASE(interop_duplicate_match_type_and_malformed_filters_are_400) {
  for (const char* q : {"?match[type]=indicator&match[type]=malware", "?added_after=2024-13-45", "?limit=0",
                        "?next=garbage"}) {
    const Reply r = call("GET", kObjects + q);
    BOOST_TEST(r.status == 400, q);
    BOOST_TEST(is_error_resource(r), r.body);
  }
}

BOOST_AUTO_TEST_CASE(manifest_object_versions_and_delete) {
  add({ind(1, "2024-01-01T00:00:00.000Z"), ind(2)});
  add({ind(1, "2024-03-01T00:00:00.000Z")});
  const Reply m = call("GET", kManifest + "?match[version]=all");
  BOOST_TEST(m.status == 200);
  BOOST_TEST(simdjson::dom::array(Json(m.body)["objects"]).size() == 3u);
  BOOST_TEST(!m.header("X-TAXII-Date-Added-First").empty());
  const std::string obj = kObjects + id_of(1) + "/";
  BOOST_TEST(simdjson::dom::array(Json(call("GET", obj + "?match[version]=all").body)["objects"]).size() == 2u);
  const Reply v = call("GET", obj + "versions/");
  BOOST_TEST(v.status == 200);
  BOOST_TEST(simdjson::dom::array(Json(v.body)["versions"]).size() == 2u);
  BOOST_TEST(!v.header("X-TAXII-Date-Added-Last").empty());
  const Reply del = call("DELETE", obj);
  BOOST_TEST(del.status == 200);
  BOOST_TEST(del.body.empty());
  BOOST_TEST(del.header("Content-Type") == kMedia);
  const Reply gone = call("GET", obj);
  BOOST_TEST(gone.status == 404);
  BOOST_TEST(is_error_resource(gone), gone.body);
  BOOST_TEST(call("DELETE", obj).status == 404);
  BOOST_TEST(call("GET", obj + "versions/").status == 404);
}

BOOST_AUTO_TEST_CASE(a_chunked_body_over_max_content_length_is_413) {
  Client c(server.http_port());
  Poco::Net::HTTPRequest rq(Poco::Net::HTTPRequest::HTTP_POST, kObjects, Poco::Net::HTTPMessage::HTTP_1_1);
  rq.set("Accept", kMedia);
  rq.setContentType(kMedia);
  rq.set("Authorization", basic("alice:alice-pw"));
  rq.setChunkedTransferEncoding(true);
  std::ostream& out = c.session().sendRequest(rq);
  const std::string big = envelope({ind(1)}) + std::string(25000, ' ');  // max_content_length 20000
  out << big;
  Poco::Net::HTTPResponse rs;
  std::istream& in = c.session().receiveResponse(rs);
  std::string body;
  Poco::StreamCopier::copyToString(in, body);
  BOOST_TEST(static_cast<int>(rs.getStatus()) == 413);
  BOOST_TEST(rs.getContentType() == kMedia);
  BOOST_TEST(body.find("\"http_status\":\"413\"") != std::string::npos, body);
  BOOST_TEST(count("") == 0u);  // nothing stored
}

BOOST_AUTO_TEST_CASE(bad_envelopes_are_400_and_unsupported_spec_versions_422) {
  for (const char* body : {"{", "[]", "{\"objects\":[]}", "{\"more\":false}"}) {
    const Reply r = call("POST", kObjects, body);
    BOOST_TEST(r.status == 400, body);
    BOOST_TEST(is_error_resource(r), r.body);
  }
  std::string v20 = ind(1);
  v20.replace(v20.find("\"spec_version\":\"2.1\","), 21, "");
  const Reply r = call("POST", kObjects, envelope({v20}));
  BOOST_TEST(r.status == 422, r.body);
  BOOST_TEST(is_error_resource(r), r.body);
}

BOOST_AUTO_TEST_CASE(statuses_survive_a_restart) {
  const Reply r = add({ind(1)});
  const std::string status = "/api1/status/" + Json(r.body).str("id") + "/";
  BOOST_TEST(server.terminate() == 0);
  server.restart();
  BOOST_TEST(call("GET", status).body == r.body);
  BOOST_TEST(count("") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
