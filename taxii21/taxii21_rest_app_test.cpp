// RestApplication in-process over the memory store (storage/testing/): every endpoint that
// touches objects (TAXII 2.1 §4.3, §5.3-§5.8) with each filter, paging with `next`, the
// headers of §3.2, statuses and their retention, and the errors of those endpoints. The same
// behaviour over real sockets and the SQL stores: tests/wire/wire_taxii21_objects_test.cpp.
// Case names that start with "interop_" cover a server requirement of the TAXII 2.1
// Interoperability Test Document (docs/taxii21.md, "Interoperability").
#define BOOST_TEST_MODULE taxii21_rest_app
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "storage/testing/memory_store.hpp"
#include "taxii21/rest_app.hpp"

using namespace taxii;
using namespace taxii::taxii21;

namespace {

constexpr const char* kC1 = "2a1b5c9e-7d43-4c1e-9f0a-0b1c2d3e4f51";
constexpr const char* kMedia = "application/taxii+json;version=2.1";
const std::string kObjects = std::string("/api1/collections/") + kC1 + "/objects/";
const std::string kManifest = std::string("/api1/collections/") + kC1 + "/manifest/";

std::string ind(int n, const std::string& modified = "2024-01-01T00:00:00.000Z", const std::string& extra = "") {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return std::string("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"") + id +
         "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"" + modified +
         "\",\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
         "\"2024-01-01T00:00:00Z\"" + extra + "}";
}
std::string id_of(int n) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return id;
}
std::string envelope(const std::vector<std::string>& objs) {
  std::string s = "{\"objects\":[";
  for (std::size_t i = 0; i < objs.size(); ++i) s += (i ? "," : "") + objs[i];
  return s + "]}";
}

struct Reply {
  http::Answer a;
  std::string header(const std::string& n) const {
    for (const auto& [k, v] : a.headers)
      if (k == n) return v;
    return "";
  }
  simdjson::dom::parser parser;
  simdjson::dom::element json() { return parser.parse(a.body); }
};

struct App {
  ManualClock clock;
  storage::testing::MemoryStore store{clock};
  RestApplication app{config(), deps()};

  App() {
    BOOST_TEST_REQUIRE(store.ensure_object_collection(kC1).ok());
  }
  static Taxii2Config config() {
    Taxii2Config c;
    c.max_page = 5;
    c.status_retention = std::chrono::seconds(86400);
    ApiRootConfig r;
    r.path = "/api1/";
    r.title = "one";
    r.max_content_length = 4000;
    CollectionConfig col;
    col.id = kC1;
    col.alias = "one";
    col.title = "c1";
    r.collections.push_back(col);
    c.roots.push_back(r);
    return c;
  }
  RestDeps deps() {
    RestDeps d;
    d.store = &store;
    d.clock = &clock;
    d.cursor_key = "test-key";
    return d;
  }
  std::unique_ptr<Reply> call(const std::string& method, const std::string& uri, const std::string& body = "",
                              std::vector<std::pair<std::string, std::string>> headers = {{"Accept", kMedia}}) {
    http::Request r;
    r.method = method;
    r.uri = uri;
    r.headers = std::move(headers);
    std::istringstream in(body);
    if (method == "POST") {
      r.headers.emplace_back("Content-Type", kMedia);
      r.body = &in;
    }
    http::ConnectionInfo conn;
    conn.remote = "127.0.0.1:1";
    auto out = std::make_unique<Reply>();
    out->a = app.answer(r, conn);
    return out;
  }
  std::unique_ptr<Reply> get(const std::string& uri) { return call("GET", uri); }
  // POSTs and returns the status resource; advances the clock 1 s before.
  std::unique_ptr<Reply> add(const std::vector<std::string>& objs) {
    clock.advance(std::chrono::seconds(1));
    auto r = call("POST", kObjects, envelope(objs));
    BOOST_TEST(r->a.status == 202, r->a.body);
    return r;
  }
  // Every object id of every page of GET `uri` (which has a "?"), following `next`.
  std::vector<std::string> all_pages(const std::string& uri, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string next;
    for (int i = 0; i < 100; ++i) {
      auto r = get(uri + (next.empty() ? "" : "&next=" + next));
      BOOST_TEST_REQUIRE(r->a.status == 200, r->a.body);
      auto j = r->json();
      if (j["objects"].error() == simdjson::SUCCESS)
        for (auto o : simdjson::dom::array(j["objects"])) ids.emplace_back(std::string_view(o["id"]));
      if (pages) ++*pages;
      if (j["more"].error() != simdjson::SUCCESS || !bool(j["more"])) {
        BOOST_TEST(j["next"].error() != simdjson::SUCCESS);
        return ids;
      }
      next = std::string(std::string_view(j["next"]));
    }
    BOOST_FAIL("endless paging");
    return ids;
  }
};

bool is_error(Reply& r, int status) {
  if (r.a.status != status) return false;
  auto j = r.json();
  return j["title"].error() == simdjson::SUCCESS && std::string_view(j["http_status"]) == std::to_string(status);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(rest_app, App)

BOOST_AUTO_TEST_CASE(add_objects_answers_202_with_a_complete_status_kept_for_get_status) {
  auto r = add({ind(1), ind(2)});
  BOOST_TEST(r->header("Content-Type") == kMedia);
  auto j = r->json();
  BOOST_TEST(std::string_view(j["status"]) == "complete");
  BOOST_TEST(int64_t(j["total_count"]) == 2);
  BOOST_TEST(int64_t(j["success_count"]) == 2);
  BOOST_TEST(int64_t(j["failure_count"]) == 0);
  BOOST_TEST(int64_t(j["pending_count"]) == 0);
  BOOST_TEST(j["failures"].error() != simdjson::SUCCESS);  // lists are omitted, never empty
  const std::string id{std::string_view(j["id"])};
  auto s = get("/api1/status/" + id + "/");
  BOOST_TEST(s->a.status == 200);
  BOOST_TEST(s->a.body == r->a.body);
  auto missing = get("/api1/status/01234567-89ab-4def-8123-456789abcdef/");
  BOOST_TEST(is_error(*missing, 404));
}

BOOST_AUTO_TEST_CASE(duplicates_are_successes_and_conflicts_failures) {
  add({ind(1)});
  auto first = get(kManifest + "?match[version]=all");
  auto r = add({ind(1), ind(1, "2024-01-01T00:00:00.000Z", ",\"x_other\":1")});
  auto j = r->json();
  BOOST_TEST(int64_t(j["success_count"]) == 1);
  BOOST_TEST(int64_t(j["failure_count"]) == 1);
  BOOST_TEST(std::string_view(simdjson::dom::array(j["successes"]).at(0)["message"]).find("already") != std::string_view::npos);
  BOOST_TEST(std::string_view(simdjson::dom::array(j["failures"]).at(0)["version"]) == "2024-01-01T00:00:00.000Z");
  // The duplicate kept its date_added (TAXII 2.1 §5.5).
  BOOST_TEST(get(kManifest + "?match[version]=all")->a.body == first->a.body);
}

BOOST_AUTO_TEST_CASE(refused_objects_are_failures_with_id_and_version) {
  auto r = add({ind(1), "{\"type\":\"indicator\",\"id\":\"bad\"}", "42"});
  auto j = r->json();
  BOOST_TEST(int64_t(j["total_count"]) == 3);
  BOOST_TEST(int64_t(j["success_count"]) == 1);
  BOOST_TEST(int64_t(j["failure_count"]) == 2);
  for (auto f : simdjson::dom::array(j["failures"])) {
    BOOST_TEST(!std::string_view(f["id"]).empty());
    BOOST_TEST(!std::string_view(f["version"]).empty());
    BOOST_TEST(!std::string_view(f["message"]).empty());
  }
}

BOOST_AUTO_TEST_CASE(bodies_that_are_not_envelopes_are_400_and_only_other_spec_versions_422) {
  for (const char* body : {"not json", "[]", "{\"objects\":[]}", "{\"objects\":{}}", "{\"a\":1,\"a\":2}"}) {
    auto r = call("POST", kObjects, body);
    BOOST_TEST(is_error(*r, 400), body << " -> " << r->a.body);
  }
  std::string v20 = ind(1);
  v20.replace(v20.find("\"spec_version\":\"2.1\","), 21, "");
  auto r = call("POST", kObjects, envelope({v20}));
  BOOST_TEST(is_error(*r, 422), r->a.body);
}

BOOST_AUTO_TEST_CASE(hostile_envelopes_are_answered_400) {
  const std::string deep = "{\"objects\":[" + std::string(1500, '[') + std::string(1500, ']') + "]}";
  const std::string bad_utf8 = "{\"objects\":[{\"type\":\"\xff\xfe\"}]}";
  const std::string huge_number = "{\"objects\":[{\"type\":\"x\",\"n\":1e999999}]}";
  for (const std::string& body : {deep, bad_utf8, huge_number}) {
    auto r = call("POST", kObjects, body);
    BOOST_TEST(is_error(*r, 400), r->a.body);
  }
  std::string query = "?match[type]=";
  for (int i = 0; i < 3000; ++i) query += "a,";
  BOOST_TEST(is_error(*get(kObjects + query), 400));  // more list items than the parser takes
}

BOOST_AUTO_TEST_CASE(a_body_over_max_content_length_is_413_while_it_is_read) {
  // No Content-Length (as with a chunked body): counted while reading.
  auto r = call("POST", kObjects, envelope({ind(1, "2024-01-01T00:00:00.000Z", ",\"x_pad\":\"" + std::string(5000, 'a') + "\"")}));
  BOOST_TEST(is_error(*r, 413), r->a.body);
  BOOST_TEST(!r->a.keep_alive);
  auto declared = call("POST", kObjects, "{}", {{"Accept", kMedia}, {"Content-Length", "4001"}});
  BOOST_TEST(is_error(*declared, 413));
}

BOOST_AUTO_TEST_CASE(interop_custom_properties_are_accepted_and_served_as_sent) {
  const std::string obj = ind(7, "2024-01-01T00:00:00.000Z", ",\"x_acme_score\":{\"v\":[1,2]}");
  auto r = call("POST", kObjects, "{\"x_acme_batch\":\"b-1\",\"objects\":[" + obj + "]}");
  BOOST_TEST(r->a.status == 202);
  BOOST_TEST(r->a.body.find("\"success_count\":1") != std::string::npos, r->a.body);
  BOOST_TEST(get(kObjects)->a.body == "{\"more\":false,\"objects\":[" + obj + "]}");
}

BOOST_AUTO_TEST_CASE(get_objects_in_date_added_order_with_the_headers) {
  add({ind(2)});
  add({ind(1)});
  auto r = get(kObjects);
  BOOST_TEST(r->a.status == 200);
  auto j = r->json();
  auto objs = simdjson::dom::array(j["objects"]);
  BOOST_TEST(std::string_view(objs.at(0)["id"]) == id_of(2));
  BOOST_TEST(std::string_view(objs.at(1)["id"]) == id_of(1));
  const std::string first = r->header("X-TAXII-Date-Added-First"), last = r->header("X-TAXII-Date-Added-Last");
  BOOST_TEST(first.size() == 27u);  // YYYY-MM-DDTHH:MM:SS.ssssssZ (TAXII 2.1 §2)
  BOOST_TEST(first < last);
  // An empty page is {} without the headers (docs/taxii21.md A1).
  auto empty = get(kObjects + "?added_after=" + last);
  BOOST_TEST(empty->a.body == "{}");
  BOOST_TEST(empty->header("X-TAXII-Date-Added-First").empty());
}

BOOST_AUTO_TEST_CASE(paging_with_limit_and_next_visits_every_object_once) {
  std::vector<std::string> batch;
  for (int i = 1; i <= 12; ++i) batch.push_back(ind(i));
  add(batch);  // one transaction, one clock instant
  int pages = 0;
  const auto ids = all_pages(kObjects + "?limit=2", &pages);
  BOOST_TEST(ids.size() == 12u);
  BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 12u);
  BOOST_TEST(pages == 6);
  // limit above the server's cap (max_page 5): 5 per page, `more` set (TAXII 2.1 §3.4).
  auto big = get(kObjects + "?limit=100");
  BOOST_TEST(simdjson::dom::array(big->json()["objects"]).size() == 5u);
  BOOST_TEST(all_pages(kObjects + "?limit=100").size() == 12u);
  BOOST_TEST(all_pages(kManifest + "?limit=3").size() == 12u);
}

BOOST_AUTO_TEST_CASE(next_is_refused_when_tampered_or_reused_with_other_filters) {
  add({ind(1), ind(2), ind(3)});
  auto r = get(kObjects + "?limit=1");
  const std::string next{std::string_view(r->json()["next"])};
  BOOST_TEST(get(kObjects + "?limit=1&next=" + next)->a.status == 200);
  BOOST_TEST(is_error(*get(kObjects + "?limit=1&next=x" + next), 400));
  BOOST_TEST(is_error(*get(kObjects + "?limit=1&match[type]=indicator&next=" + next), 400));
  BOOST_TEST(is_error(*get(kManifest + "?limit=1&next=" + next), 400));
}

BOOST_AUTO_TEST_CASE(each_filter) {
  add({ind(1, "2024-01-01T00:00:00.000Z"), ind(2)});
  const std::string after = get(kObjects)->header("X-TAXII-Date-Added-Last");
  add({ind(1, "2024-02-01T00:00:00.000Z"),
       "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\","
       "\"value\":\"10.0.0.1\"}"});
  auto count = [&](const std::string& q) {
    auto r = get(kObjects + q);
    BOOST_TEST_REQUIRE(r->a.status == 200, q << ": " << r->a.body);
    auto j = r->json();
    return j["objects"].error() ? std::size_t(0) : simdjson::dom::array(j["objects"]).size();
  };
  BOOST_TEST(count("") == 3u);                                      // latest version per id
  BOOST_TEST(count("?match[version]=all") == 4u);
  BOOST_TEST(count("?match[version]=first") == 3u);
  BOOST_TEST(count("?match[version]=2024-01-01T00:00:00Z") == 2u);  // compared as instants
  BOOST_TEST(count("?match[version]=first,last") == 4u);
  BOOST_TEST(count("?match[type]=ipv4-addr") == 1u);
  BOOST_TEST(count("?match%5Btype%5D=indicator,ipv4-addr") == 3u);
  BOOST_TEST(count("?match[id]=" + id_of(1)) == 1u);
  BOOST_TEST(count("?match[id]=" + id_of(1) + "," + id_of(2) + "&match[version]=all") == 3u);
  BOOST_TEST(count("?added_after=" + after) == 2u);
  BOOST_TEST(count("?match[spec_version]=2.1") == 3u);
  BOOST_TEST(count("?match[spec_version]=2.0") == 0u);
  BOOST_TEST(count("?match[foo]=bar") == 3u);                       // undefined fields are ignored
}

BOOST_AUTO_TEST_CASE(interop_malformed_or_repeated_parameters_are_400) {
  for (const char* q : {"?match[type]=indicator&match[type]=malware", "?added_after=yesterday", "?limit=0",
                        "?limit=-1", "?limit=ten", "?match[version]=all,last", "?added_after=1&added_after=2",
                        "?match[type]=", "?match[id]=a%zz"}) {
    auto r = get(kObjects + q);
    BOOST_TEST(is_error(*r, 400), q << " -> " << r->a.body);
  }
}

BOOST_AUTO_TEST_CASE(manifest_records_per_version) {
  add({ind(1, "2024-01-01T00:00:00.000Z")});
  add({ind(1, "2024-02-01T00:00:00.5000Z")});
  auto r = get(kManifest + "?match[version]=all");
  auto recs = simdjson::dom::array(r->json()["objects"]);
  BOOST_TEST(recs.size() == 2u);
  BOOST_TEST(std::string_view(recs.at(1)["version"]) == "2024-02-01T00:00:00.5000Z");
  BOOST_TEST(std::string_view(recs.at(1)["media_type"]) == "application/stix+json;version=2.1");
  BOOST_TEST(std::string_view(recs.at(0)["date_added"]).size() == 27u);
  BOOST_TEST(r->header("X-TAXII-Date-Added-Last") == std::string(std::string_view(recs.at(1)["date_added"])));
}

BOOST_AUTO_TEST_CASE(object_by_id_versions_and_404) {
  add({ind(1, "2024-01-01T00:00:00.000Z"), ind(2)});
  add({ind(1, "2024-03-01T00:00:00.000Z")});
  const std::string obj = kObjects + id_of(1) + "/";
  BOOST_TEST(simdjson::dom::array(get(obj)->json()["objects"]).size() == 1u);
  BOOST_TEST(simdjson::dom::array(get(obj + "?match[version]=all")->json()["objects"]).size() == 2u);
  auto v = get(obj + "versions/");
  BOOST_TEST(v->a.status == 200);
  auto versions = simdjson::dom::array(v->json()["versions"]);
  BOOST_TEST(versions.size() == 2u);
  BOOST_TEST(std::string_view(versions.at(0)) == "2024-01-01T00:00:00.000Z");  // date_added order (A15)
  BOOST_TEST(!v->header("X-TAXII-Date-Added-First").empty());
  // Filtered out: an empty envelope; unknown id: 404 (A16).
  BOOST_TEST(get(obj + "?match[version]=2020-01-01T00:00:00.000Z")->a.body == "{}");
  BOOST_TEST(is_error(*get(kObjects + id_of(9) + "/"), 404));
  BOOST_TEST(is_error(*get(kObjects + id_of(9) + "/versions/"), 404));
}

BOOST_AUTO_TEST_CASE(interop_versions_pages_continue_with_added_after) {
  for (int m = 1; m <= 7; ++m) add({ind(1, "2024-01-0" + std::to_string(m) + "T00:00:00.000Z")});
  const std::string uri = kObjects + id_of(1) + "/versions/?limit=3";
  auto p1 = get(uri);
  BOOST_TEST(bool(p1->json()["more"]));
  auto p2 = get(uri + "&added_after=" + p1->header("X-TAXII-Date-Added-Last"));
  auto v2 = simdjson::dom::array(p2->json()["versions"]);
  BOOST_TEST(std::string_view(v2.at(0)) == "2024-01-04T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(delete_removes_every_version_or_the_one_named) {
  add({ind(1, "2024-01-01T00:00:00.000Z"), ind(2)});
  add({ind(1, "2024-03-01T00:00:00.000Z")});
  auto one = call("DELETE", kObjects + id_of(1) + "/?match[version]=2024-03-01T00:00:00.000Z");
  BOOST_TEST(one->a.status == 200);
  BOOST_TEST(one->a.body.empty());
  BOOST_TEST(one->header("Content-Type") == kMedia);
  BOOST_TEST(simdjson::dom::array(get(kObjects + id_of(1) + "/versions/")->json()["versions"]).size() == 1u);
  BOOST_TEST(call("DELETE", kObjects + id_of(1) + "/")->a.status == 200);
  BOOST_TEST(is_error(*get(kObjects + id_of(1) + "/"), 404));
  BOOST_TEST(is_error(*call("DELETE", kObjects + id_of(1) + "/"), 404));
  BOOST_TEST(simdjson::dom::array(get(kManifest)->json()["objects"]).size() == 1u);
}

BOOST_AUTO_TEST_CASE(interop_statuses_are_kept_at_least_24_hours) {
  auto r = add({ind(1)});
  const std::string uri = "/api1/status/" + std::string(std::string_view(r->json()["id"])) + "/";
  clock.advance(std::chrono::hours(23) + std::chrono::minutes(59));
  add({ind(2)});  // a sweep runs (more than an hour since the last)
  BOOST_TEST(get(uri)->a.status == 200);
  clock.advance(std::chrono::hours(2));
  add({ind(3)});
  BOOST_TEST(is_error(*get(uri), 404));  // retention 24 h in this configuration
}

BOOST_AUTO_TEST_SUITE_END()
