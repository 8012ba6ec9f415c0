// The TAXII 2.1 client library (client/taxii21): query strings, resource parsers, envelope
// splitting, and the Client against a scripted server on 127.0.0.1 (real bytes): headers,
// error resources, pagination by `next` and by X-TAXII-Date-Added-Last, status waiting,
// DELETE, the default API root.
#define BOOST_TEST_MODULE client21
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include "client/errors.hpp"
#include "client/taxii21/client.hpp"
#include "client/taxii21/envelopes.hpp"
#include "tests/cli/fake_http21.hpp"

using namespace taxii;
using namespace taxii::client21;
using taxii::clitest::FakeHttp21;
using taxii::clitest::FakeRequest;
using taxii::clitest::FakeResponse;

namespace {

std::unique_ptr<Client> client_for(const ManualClock& clock, std::optional<client::Credentials> auth = std::nullopt) {
  client::TransportOptions to;
  to.timeout = std::chrono::seconds(10);
  Options o;
  o.basic_auth = std::move(auth);
  return std::make_unique<Client>(std::make_unique<client::HttpTransport>(to), std::move(o), clock);
}

Url url_of(const FakeHttp21& s, const std::string& path) { return *http::parse_url(s.url(path)); }

std::string object_json(int i) {
  return R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)" +
         std::string(12 - std::to_string(i).size(), '0') + std::to_string(i) +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z"})";
}

std::string objects_array(int from, int to) {
  std::string s = "[";
  for (int i = from; i < to; ++i) s += (i == from ? "" : ",") + object_json(i);
  return s + "]";
}

}  // namespace

BOOST_AUTO_TEST_CASE(query_string_encodes_filters_in_order) {
  Filter f;
  BOOST_TEST(query_string(f) == "");
  f.added_after = "2024-01-01T00:00:00.000000Z";
  f.types = {"indicator", "malware"};
  f.versions = {"all"};
  f.limit = 10;
  f.next = "a+b/c=";
  BOOST_TEST(query_string(f) ==
             "?added_after=2024-01-01T00%3A00%3A00.000000Z&match%5Btype%5D=indicator,malware&match%5Bversion%5D=all"
             "&limit=10&next=a%2Bb%2Fc%3D");
  BOOST_TEST(encode_segment("my alias/x") == "my%20alias%2Fx");
}

BOOST_AUTO_TEST_CASE(resource_parsers_take_optional_and_refuse_missing_required) {
  auto d = parse_discovery(R"({"title":"T","api_roots":["/a/","https://h/b/"],"default":"/a/"})");
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(d->api_roots.size() == 2u);
  BOOST_TEST(*d->default_root == "/a/");
  BOOST_TEST(!parse_discovery(R"({"api_roots":[]})").ok());
  BOOST_TEST(!parse_discovery("not json").ok());
  BOOST_TEST(client::origin_of(parse_discovery("[1]").error()) == client::ErrorOrigin::Response);

  BOOST_TEST(parse_api_root(R"({"title":"R","versions":["application/taxii+json;version=2.1"],"max_content_length":1000})")
                 ->max_content_length == 1000u);
  BOOST_TEST(!parse_api_root(R"({"title":"R","versions":[]})").ok());  // max_content_length is required

  auto cols = parse_collections("{}");
  BOOST_TEST_REQUIRE(cols.ok());
  BOOST_TEST(cols->empty());
  cols = parse_collections(R"({"collections":[{"id":"c1","title":"C","can_read":true,"can_write":false,"alias":"x"}]})");
  BOOST_TEST_REQUIRE(cols.ok());
  BOOST_TEST((*cols)[0].can_read);
  BOOST_TEST(!(*cols)[0].can_write);
  BOOST_TEST(*(*cols)[0].alias == "x");
  BOOST_TEST(!parse_collections(R"({"collections":[{"title":"no id"}]})").ok());

  auto s = parse_status(R"({"id":"s","status":"complete","total_count":2,"success_count":1,"failure_count":1,
    "pending_count":0,"failures":[{"id":"x--1","version":"v","message":"bad"}]})");
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(s->complete());
  BOOST_TEST(s->failures.size() == 1u);
  BOOST_TEST(*s->failures[0].message == "bad");
  BOOST_TEST(!parse_status(R"({"id":"s","status":"complete"})").ok());

  auto e = parse_error(R"({"title":"Nope","description":"d","http_status":404,"details":{"a":[1]}})");
  BOOST_TEST_REQUIRE(e.has_value());
  BOOST_TEST(*e->http_status == "404");  // a number is taken too
  BOOST_TEST(*e->details == R"({"a":[1]})");
  BOOST_TEST(!parse_error(R"({"code":1,"name":"x"})").has_value());  // no title: not an error resource
  BOOST_TEST(!parse_error("<html>").has_value());
}

BOOST_AUTO_TEST_CASE(pages_hand_on_items_as_compact_json) {
  std::vector<std::string> items;
  auto sink = [&items](std::string_view j) {
    items.emplace_back(j);
    return ok_status();
  };
  auto p = parse_page(R"({"more":true,"next":"n1","objects":[ {"a" : 1}, {"b":[1, 2]} ]})", PageKind::Objects, sink);
  BOOST_TEST_REQUIRE(p.ok());
  BOOST_TEST(p->more);
  BOOST_TEST(*p->next == "n1");
  BOOST_TEST(items == (std::vector<std::string>{R"({"a":1})", R"({"b":[1,2]})"}), boost::test_tools::per_element());
  items.clear();
  BOOST_TEST(parse_page(R"({"versions":["v1","v2"]})", PageKind::Versions, sink)->items == 2u);
  BOOST_TEST(items[0] == "\"v1\"");
  BOOST_TEST(parse_page("{}", PageKind::Manifest, sink)->items == 0u);
  BOOST_TEST(!parse_page(R"({"objects":[1]})", PageKind::Objects, [](std::string_view) -> Status {
    return Error::failure("stop");
  }).ok());
  // Deep nesting is refused by simdjson's depth limit, not a crash.
  BOOST_TEST(!parse_page(std::string(100000, '[') + std::string(100000, ']'), PageKind::Objects, sink).ok());
}

BOOST_AUTO_TEST_CASE(split_envelopes_by_batch_and_size) {
  const std::string bundle = R"({"type":"bundle","id":"bundle--1","objects":)" + objects_array(0, 7) + "}";
  std::vector<uint64_t> counts;
  std::vector<std::string> bodies;
  auto sink = [&](std::string env, uint64_t n) {
    counts.push_back(n);
    bodies.push_back(std::move(env));
    return ok_status();
  };
  auto n = split_envelopes(bundle, 3, 0, sink);
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST(*n == 7u);
  BOOST_TEST(counts == (std::vector<uint64_t>{3, 3, 1}), boost::test_tools::per_element());
  simdjson::dom::parser parser;
  for (const auto& b : bodies) {
    simdjson::dom::array a;
    BOOST_TEST(!parser.parse(b)["objects"].get(a));  // each an envelope that parses
  }
  // By size: each envelope within max_bytes, no object lost.
  const uint64_t max = 2 * object_json(0).size() + 20;
  counts.clear();
  bodies.clear();
  BOOST_TEST_REQUIRE(split_envelopes(bundle, 0, max, sink).ok());
  BOOST_TEST(counts.size() == 4u);
  for (const auto& b : bodies) BOOST_TEST(b.size() <= max);
  // One object larger than max_content_length allows, not JSON, empty, a single object.
  BOOST_TEST(!split_envelopes(bundle, 0, 50, sink).ok());
  BOOST_TEST(!split_envelopes("{\"objects\":[1]}", 0, 0, sink).ok());
  BOOST_TEST(!split_envelopes("not json", 0, 0, sink).ok());
  BOOST_TEST(!split_envelopes(R"({"objects":[]})", 0, 0, sink).ok());
  BOOST_TEST(!split_envelopes(R"({"hello":1})", 0, 0, sink).ok());
  counts.clear();
  BOOST_TEST(*split_envelopes(object_json(1), 0, 0, sink) == 1u);
}

BOOST_AUTO_TEST_CASE(requests_carry_media_type_and_basic_auth_and_errors_the_error_resource) {
  FakeHttp21 server([](const FakeRequest& r) {
    if (r.target == "/api/collections/") return FakeResponse{200, R"({"collections":[{"id":"c","title":"C","can_read":true,"can_write":true}]})"};
    return FakeResponse{404, R"({"title":"Collection not found","description":"no collection x","http_status":"404","error_code":"E7"})"};
  });
  ManualClock clock;
  auto c = client_for(clock, client::Credentials{"alice", "pw"});
  auto cols = c->collections(url_of(server, "/api/"));
  BOOST_TEST_REQUIRE(cols.ok());
  const auto reqs = server.requests();
  BOOST_TEST(reqs[0].header("accept") == "application/taxii+json;version=2.1");
  BOOST_TEST(reqs[0].header("authorization") == "Basic YWxpY2U6cHc=");
  auto one = c->collection(url_of(server, "/api/"), "x");
  BOOST_TEST_REQUIRE(!one.ok());
  BOOST_TEST(one.error().message() == "HTTP 404 Status: Collection not found: no collection x");
  BOOST_TEST(*client::http_status_of(one.error()) == 404);
  BOOST_TEST(client::origin_of(one.error()) == client::ErrorOrigin::Server);
  bool code = false;
  for (const auto& d : error_fields(one.error())) code = code || (d.name == "error_code" && d.value == "E7");
  BOOST_TEST(code);
}

BOOST_AUTO_TEST_CASE(pages_follow_next_then_fall_back_to_date_added_last) {
  // Page 1 gives `next`; page 2 says more without next (-> added_after = its Last); page 3 ends.
  FakeHttp21 server([](const FakeRequest& r) {
    FakeResponse resp;
    if (r.target.find("next=n1") != std::string::npos) {
      resp.body = R"({"more":true,"objects":)" + objects_array(2, 4) + "}";
      resp.headers = {{"X-TAXII-Date-Added-First", "2024-01-02T00:00:00.000000Z"}, {"X-TAXII-Date-Added-Last", "2024-01-03T00:00:00.000000Z"}};
    } else if (r.target.find("added_after=2024-01-03") != std::string::npos) {
      resp.body = R"({"objects":)" + objects_array(4, 5) + "}";
      resp.headers = {{"X-TAXII-Date-Added-First", "2024-01-04T00:00:00.000000Z"}, {"X-TAXII-Date-Added-Last", "2024-01-04T00:00:00.000000Z"}};
    } else {
      resp.body = R"({"more":true,"next":"n1","objects":)" + objects_array(0, 2) + "}";
      resp.headers = {{"X-TAXII-Date-Added-First", "2024-01-01T00:00:00.000000Z"}, {"X-TAXII-Date-Added-Last", "2024-01-02T00:00:00.000000Z"}};
    }
    return resp;
  });
  ManualClock clock;
  auto c = client_for(clock);
  Filter f;
  f.types = {"indicator"};
  f.limit = 2;
  uint64_t n = 0;
  auto sum = c->pages(Client::objects_url(url_of(server, "/api/"), "c"), PageKind::Objects, f, true,
                      [&n](std::string_view) { ++n; return ok_status(); });
  BOOST_TEST_REQUIRE(sum.ok(), (sum.ok() ? "" : sum.error().message()));
  BOOST_TEST(n == 5u);
  BOOST_TEST(sum->pages == 3u);
  BOOST_TEST(sum->fallbacks == 1u);
  BOOST_TEST(*sum->date_added_first == "2024-01-01T00:00:00.000000Z");
  BOOST_TEST(*sum->date_added_last == "2024-01-04T00:00:00.000000Z");
  const auto reqs = server.requests();
  BOOST_TEST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(reqs[0].target == "/api/collections/c/objects/?match%5Btype%5D=indicator&limit=2");
  BOOST_TEST(reqs[1].target == "/api/collections/c/objects/?match%5Btype%5D=indicator&limit=2&next=n1");
  BOOST_TEST(reqs[2].target ==
             "/api/collections/c/objects/?added_after=2024-01-03T00%3A00%3A00.000000Z&match%5Btype%5D=indicator&limit=2");
  // Not following: one page, and where to go on.
  sum = c->pages(Client::objects_url(url_of(server, "/api/"), "c"), PageKind::Objects, f, false,
                 [](std::string_view) { return ok_status(); });
  BOOST_TEST_REQUIRE(sum.ok());
  BOOST_TEST(sum->more);
  BOOST_TEST(*sum->next == "n1");
}

BOOST_AUTO_TEST_CASE(more_without_next_or_date_added_last_is_an_error_not_a_loop) {
  FakeHttp21 server([](const FakeRequest&) { return FakeResponse{200, R"({"more":true,"objects":[{"a":1}]})"}; });
  ManualClock clock;
  auto c = client_for(clock);
  auto sum = c->pages(url_of(server, "/api/collections/c/manifest/"), PageKind::Manifest, {}, true,
                      [](std::string_view) { return ok_status(); });
  BOOST_TEST_REQUIRE(!sum.ok());
  BOOST_TEST(client::origin_of(sum.error()) == client::ErrorOrigin::Response);
  BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(add_waits_for_the_status_and_delete_sends_its_filters) {
  int polls = 0;
  FakeHttp21 server([&polls](const FakeRequest& r) {
    const std::string pending = R"({"id":"s1","status":"pending","total_count":2,"success_count":0,"failure_count":0,"pending_count":2})";
    if (r.method == "POST") return FakeResponse{202, pending};
    if (r.method == "DELETE") return FakeResponse{200, ""};
    if (++polls < 3) return FakeResponse{200, pending};
    return FakeResponse{200, R"({"id":"s1","status":"complete","total_count":2,"success_count":2,"failure_count":0,"pending_count":0})"};
  });
  ManualClock clock;
  const auto start = clock.now();
  auto c = client_for(clock);
  const auto root = url_of(server, "/api/");
  auto s = c->add(root, "c", "{\"objects\":[{},{}]}");
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(!s->complete());
  s = c->wait(root, *s, std::chrono::seconds(60));
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(s->complete());
  BOOST_TEST(s->success_count == 2u);
  BOOST_TEST(clock.now().micros() - start.micros() == 250'000 + 500'000 + 1'000'000);  // backoff slept on the clock
  auto reqs = server.requests();
  BOOST_TEST(reqs[0].header("content-type") == "application/taxii+json;version=2.1");
  BOOST_TEST(reqs[0].target == "/api/collections/c/objects/");
  BOOST_TEST(reqs[1].target == "/api/status/s1/");
  // Still pending at the timeout: the last status, pending.
  polls = -100;
  s = c->wait(root, *c->add(root, "c", "{}"), std::chrono::seconds(2));
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(!s->complete());
  Filter f;
  f.versions = {"2024-01-01T00:00:00.000Z"};
  f.types = {"ignored"};
  BOOST_TEST(c->remove(root, "c", "indicator--1", f).ok());
  reqs = server.requests();
  BOOST_TEST(reqs.back().method == "DELETE");
  BOOST_TEST(reqs.back().target == "/api/collections/c/objects/indicator--1/?match%5Bversion%5D=2024-01-01T00%3A00%3A00.000Z");
}

BOOST_AUTO_TEST_CASE(discovery_url_resolves_to_the_default_api_root) {
  FakeHttp21 server([](const FakeRequest& r) {
    if (r.target == "/taxii2/") return FakeResponse{200, R"({"title":"S","api_roots":["/r1/","/r2/"],"default":"/r2/"})"};
    return FakeResponse{500, "Internal Server Error: boom", {}, "text/plain"};
  });
  ManualClock clock;
  auto c = client_for(clock);
  auto root = c->resolve_root(url_of(server, "/taxii2/"));
  BOOST_TEST_REQUIRE(root.ok());
  BOOST_TEST(root->str() == server.url("/r2/"));
  BOOST_TEST(c->resolve_root(url_of(server, "/r1/"))->str() == server.url("/r1/"));  // an API root stays
  auto info = c->api_root(*root);
  BOOST_TEST_REQUIRE(!info.ok());  // no error resource: the HTTP status and the body's start
  BOOST_TEST(info.error().message().find("HTTP 500") != std::string::npos);
  BOOST_TEST(info.error().message().find("boom") != std::string::npos);
  BOOST_TEST(client::origin_of(info.error()) == client::ErrorOrigin::Server);
}
