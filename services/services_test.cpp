// Unit tests of the services and the Dispatcher over an in-memory SQLite store (or, with
// TAXII_TEST_STORE=postgres, a PostgreSQL schema: services_test_pg; storage/test_store.hpp).
#define BOOST_TEST_MODULE services
#include <boost/test/unit_test.hpp>

#include <memory>
#include <variant>

#include "core/urn.hpp"
#include "services/collection_management/collection_management_service.hpp"
#include "services/discovery/discovery_service.hpp"
#include "services/dispatcher.hpp"
#include "services/inbox/inbox_service.hpp"
#include "services/poll/poll_service.hpp"
#include "storage/test_store.hpp"

using namespace taxii;
using namespace taxii::services;

namespace {

v11::ContentBinding cb(std::string_view id) { return {std::string(id), {}}; }

struct Fixture {
  // In-memory SQLite, or a fresh PostgreSQL schema with TAXII_TEST_STORE=postgres.
  storage::testing::TestStore store;
  std::shared_ptr<Topology> topology;
  Dispatcher dispatcher;

  explicit Fixture(uint64_t part_size = 3) {
    store = storage::testing::open_test_store("services");
    std::vector<ServiceInfo> svcs(4);
    svcs[0] = {"discovery", ServiceType::Discovery, "/d", {}, {}, {}, {}, {}, false};
    svcs[1] = {"cm", ServiceType::CollectionManagement, "/cm", {}, {}, {}, {}, {}, false};
    svcs[2] = {"inbox", ServiceType::Inbox, "/inbox", {}, DestinationPolicy::Optional, {"feed"}, {}, {}, false};
    svcs[3] = {"poll", ServiceType::Poll, "/poll", {}, {}, {}, {}, {}, false};
    std::vector<CollectionInfo> cols(2);
    cols[0] = {"feed", "a feed", v11::CollectionType::DataFeed, {cb(urn::kStix12), cb(urn::kStix111)}, {"poll"}, {"inbox"}, false};
    cols[1] = {"set", "a set", v11::CollectionType::DataSet, {}, {"poll"}, {"inbox"}, false};
    for (const auto& c : cols) BOOST_TEST_REQUIRE(store->ensure_collection(c.name).ok());
    topology = std::make_shared<Topology>(
        std::vector<Listener>{{std::string(urn::kProtocolHttp), "http://127.0.0.1:9000"}}, svcs, cols);
    dispatcher.add("/d", std::make_shared<DiscoveryService>(topology));
    dispatcher.add("/cm", std::make_shared<CollectionManagementService>(topology, *store));
    dispatcher.add("/inbox", std::make_shared<InboxService>(topology, *store, "inbox"));
    dispatcher.add("/poll", std::make_shared<PollService>(topology, *store, "poll", PollOptions{part_size, 3600}));
  }

  Message call(std::string_view path, Message m) {
    RequestContext ctx;
    ctx.protocol_binding = std::string(urn::kProtocolHttp);
    return dispatcher.dispatch(path, m, ctx);
  }

  Message inbox(std::vector<std::string> dest, std::vector<std::string> contents,
                std::string_view binding = urn::kStix12) {
    v11::InboxMessage m;
    m.message_id = "7";
    m.destination_collection_names = std::move(dest);
    for (auto& c : contents) {
      v11::ContentBlock b;
      b.binding_id = std::string(binding);
      b.content = Mixed::text(c);
      m.content_blocks.push_back(std::move(b));
    }
    return call("/inbox", m);
  }

  v11::PollRequest poll_request(std::string collection) {
    v11::PollRequest r;
    r.message_id = "8";
    r.collection_name = std::move(collection);
    r.poll_parameters = v11::PollParameters{};
    return r;
  }
};

std::string status_of(const Message& m) {
  if (auto* s = std::get_if<v11::StatusMessage>(&m)) return s->status_type;
  return std::string(message_type_name(m));
}

}  // namespace

BOOST_AUTO_TEST_CASE(discovery_lists_the_11_instances_for_11_clients) {
  Fixture f;
  v11::DiscoveryRequest r;
  r.message_id = "1";
  auto out = f.call("/d", r);
  auto& d = std::get<v11::DiscoveryResponse>(out);
  BOOST_TEST(d.in_response_to == "1");
  BOOST_TEST_REQUIRE(d.service_instances.size() == 4u);
  BOOST_TEST(d.service_instances[0].address == "http://127.0.0.1:9000/d");
  for (const auto& i : d.service_instances) BOOST_TEST(i.service_version == "urn:taxii.mitre.org:services:1.1");
  BOOST_TEST(d.service_instances[2].content_bindings.empty());  // inbox: "set" accepts anything
}

BOOST_AUTO_TEST_CASE(wrong_message_type_is_bad_message) {
  Fixture f;
  auto out = f.call("/d", f.poll_request("feed"));
  auto& s = std::get<v11::StatusMessage>(out);
  BOOST_TEST(s.status_type == "BAD_MESSAGE");
  BOOST_TEST(*s.message == "Poll_Request is not accepted by the Discovery service");
  BOOST_TEST(s.in_response_to == "8");
}

BOOST_AUTO_TEST_CASE(inbox_routes_and_checks_bindings) {
  Fixture f;
  BOOST_TEST(status_of(f.inbox({}, {"a", "b"})) == "SUCCESS");
  BOOST_TEST(status_of(f.inbox({"feed", "set"}, {"c"})) == "SUCCESS");
  auto bad = f.inbox({"nope"}, {"x"});
  auto& s = std::get<v11::StatusMessage>(bad);
  BOOST_TEST(s.status_type == "DESTINATION_COLLECTION_ERROR");
  BOOST_TEST(s.details.size() == 2u);
  BOOST_TEST(status_of(f.inbox({"feed"}, {"x"}, urn::kCap11)) == "UNSUPPORTED_CONTENT");
  BOOST_TEST(status_of(f.inbox({"set"}, {"x"}, urn::kCap11)) == "SUCCESS");
  auto n = f.store->count({"feed", std::nullopt, std::nullopt, {}, 0});
  BOOST_TEST(*n == 3u);
}

BOOST_AUTO_TEST_CASE(binding_matching_rules) {
  std::vector<v11::ContentBinding> acc{{"A", {"s1"}}, {"B", {}}};
  BOOST_TEST(binding_accepted(acc, "A", std::nullopt));
  BOOST_TEST(binding_accepted(acc, "A", std::string("s1")));
  BOOST_TEST(!binding_accepted(acc, "A", std::string("s2")));
  BOOST_TEST(binding_accepted(acc, "B|C", std::nullopt));  // the outermost binding decides
  BOOST_TEST(!binding_accepted(acc, "C|A", std::nullopt));
  BOOST_TEST(binding_accepted({}, "anything", std::nullopt));
}

BOOST_AUTO_TEST_CASE(poll_multipart_and_fulfillment) {
  Fixture f(3);
  BOOST_TEST(status_of(f.inbox({}, {"1", "2", "3", "4", "5", "6", "7"})) == "SUCCESS");
  auto first = f.call("/poll", f.poll_request("feed"));
  auto& p1 = std::get<v11::PollResponse>(first);
  BOOST_TEST(p1.more);
  BOOST_TEST(p1.content_blocks.size() == 3u);
  BOOST_TEST(p1.record_count->count == 7u);
  BOOST_TEST_REQUIRE(p1.result_id.has_value());
  std::vector<std::string> seen;
  for (auto& b : p1.content_blocks) seen.push_back(b.content.text_value());
  for (uint64_t part : {3u, 2u}) {  // out of order on purpose
    v11::PollFulfillment pf;
    pf.message_id = "9";
    pf.collection_name = "feed";
    pf.result_id = *p1.result_id;
    pf.result_part_number = part;
    auto out = f.call("/poll", pf);
    auto& pr = std::get<v11::PollResponse>(out);
    BOOST_TEST(pr.result_part_number == part);
    BOOST_TEST(pr.more == (part < 3));
    BOOST_TEST(pr.content_blocks.size() == (part == 3 ? 1u : 3u));
    if (part == 3) BOOST_TEST(pr.content_blocks[0].content.text_value() == "7");
    else BOOST_TEST(pr.content_blocks[0].content.text_value() == "4");
  }
  v11::PollFulfillment bad;
  bad.message_id = "10";
  bad.collection_name = "feed";
  bad.result_id = *p1.result_id;
  bad.result_part_number = 4;
  auto out = f.call("/poll", bad);
  auto& s = std::get<v11::StatusMessage>(out);
  BOOST_TEST(s.status_type == "INVALID_RESPONSE_PART");
  BOOST_TEST(s.details.at(0).value.text_value() == "3");
  bad.result_id = "urn:uuid:nope";
  BOOST_TEST(status_of(f.call("/poll", bad)) == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(poll_window_and_errors) {
  Fixture f(100);
  BOOST_TEST(status_of(f.inbox({}, {"1", "2", "3"})) == "SUCCESS");
  auto all = std::get<v11::PollResponse>(f.call("/poll", f.poll_request("feed")));
  BOOST_TEST_REQUIRE(all.content_blocks.size() == 3u);
  BOOST_TEST(*all.inclusive_end == *all.content_blocks[2].timestamp_label);
  auto r = f.poll_request("feed");
  r.exclusive_begin = all.content_blocks[0].timestamp_label;
  r.inclusive_end = all.content_blocks[1].timestamp_label;
  auto mid = std::get<v11::PollResponse>(f.call("/poll", r));
  BOOST_TEST_REQUIRE(mid.content_blocks.size() == 1u);
  BOOST_TEST(mid.content_blocks[0].content.text_value() == "2");
  BOOST_TEST(*mid.inclusive_end == *r.inclusive_end);
  std::swap(r.exclusive_begin, r.inclusive_end);
  BOOST_TEST(status_of(f.call("/poll", r)) == "BAD_MESSAGE");
  BOOST_TEST(status_of(f.call("/poll", f.poll_request("missing"))) == "NOT_FOUND");
  auto q = f.poll_request("feed");
  q.poll_parameters->query = v11::Query{std::string(urn::kQueryDefault10), {}};
  BOOST_TEST(status_of(f.call("/poll", q)) == "UNSUPPORTED_QUERY");
  auto c = f.poll_request("feed");
  c.poll_parameters->content_bindings = {cb(urn::kCap11)};
  BOOST_TEST(status_of(f.call("/poll", c)) == "UNSUPPORTED_CONTENT");
  auto set = std::get<v11::PollResponse>(f.call("/poll", f.poll_request("set")));
  BOOST_TEST(!set.inclusive_end.has_value());
}

BOOST_AUTO_TEST_CASE(collection_information_advertises_subscriptions_and_push) {
  Fixture f;
  v11::ManageCollectionSubscriptionRequest r;
  r.message_id = "3";
  r.collection_name = "feed";  // STATUS of nothing: an empty answer (subscriptions_test.cpp has the rest)
  auto out = f.call("/cm", r);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(out));
  BOOST_TEST(std::get<v11::ManageCollectionSubscriptionResponse>(out).subscriptions.empty());
  v11::CollectionInformationRequest ci;
  ci.message_id = "4";
  auto info = std::get<v11::CollectionInformationResponse>(f.call("/cm", ci));
  BOOST_TEST(info.collections.size() == 2u);
  BOOST_TEST(info.collections[0].polling_services.size() == 1u);
  BOOST_TEST(info.collections[0].receiving_inbox_services.size() == 1u);
  BOOST_TEST_REQUIRE(info.collections[0].subscription_services.size() == 1u);
  BOOST_TEST(info.collections[0].subscription_services[0].address == "http://127.0.0.1:9000/cm");
  BOOST_TEST_REQUIRE(info.collections[0].push_methods.size() == 2u);  // HTTP and HTTPS
  BOOST_TEST(info.collections[0].push_methods[1].protocol_binding == std::string(urn::kProtocolHttps));
  BOOST_TEST(info.collections[0].push_methods[0].message_bindings.size() == 2u);  // XML 1.1 and 1.0
  BOOST_TEST(info.collections[1].push_methods[0].message_bindings.size() == 1u);  // a Data Set: 1.1 only
}

BOOST_AUTO_TEST_CASE(destination_policies) {
  Fixture f;
  auto svcs = f.topology->services();
  svcs[2].destination_policy = DestinationPolicy::Forbidden;
  auto forbidding = std::make_shared<Topology>(f.topology->listeners(), svcs, f.topology->collections());
  InboxService inbox(forbidding, *f.store, "inbox");
  v11::InboxMessage m;
  m.message_id = "1";
  m.destination_collection_names = {"feed"};
  auto r = inbox.handle(m, RequestContext{});
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::DestinationCollectionError);
  BOOST_TEST(r.error().details().empty());  // naming destinations is prohibited: empty list
  m.destination_collection_names.clear();
  BOOST_TEST(inbox.handle(m, RequestContext{}).ok());  // the default collection

  svcs[2].destination_policy = DestinationPolicy::Required;
  auto requiring = std::make_shared<Topology>(f.topology->listeners(), svcs, f.topology->collections());
  InboxService strict(requiring, *f.store, "inbox");
  auto e = strict.handle(m, RequestContext{});
  BOOST_TEST_REQUIRE(!e.ok());
  BOOST_TEST(e.error().details().size() == 2u);
}

// Issue #10: per-service query formats. With the server's registry, a Poll service configured
// with no format (`queries: []`) answers UNSUPPORTED_QUERY without SUPPORTED_QUERY details and
// advertises nothing; one with the default configuration compiles and evaluates the query.
BOOST_AUTO_TEST_CASE(query_formats_per_service) {
  storage::testing::TestStore store = storage::testing::open_test_store("services_queries");
  query::QueryFormatRegistry queries;
  BOOST_TEST_REQUIRE(query::register_builtin_query_formats(queries).ok());
  std::vector<ServiceInfo> svcs(3);
  svcs[0] = {"discovery", ServiceType::Discovery, "/d", {}, {}, {}, {}, {}, false};
  svcs[1] = {"poll", ServiceType::Poll, "/poll", {}, {}, {}, {}, {}, false};
  svcs[2] = {"plain", ServiceType::Poll, "/plain", {}, {}, {}, {}, {}, false};
  svcs[2].query_formats = std::vector<std::string>{};
  svcs[0].advertise_queries = true;
  std::vector<CollectionInfo> cols{{"feed", "a feed", v11::CollectionType::DataFeed, {}, {"poll", "plain"}, {}, false}};
  BOOST_TEST_REQUIRE(store->ensure_collection("feed").ok());
  const std::string stix = R"(<s:STIX_Package xmlns:s="http://stix.mitre.org/stix-1" version="1.2"><s:STIX_Header><s:Title>)";
  BOOST_TEST_REQUIRE(store->append({"feed"}, {{std::string(urn::kStix12), {}, stix + "yes</s:Title></s:STIX_Header></s:STIX_Package>", {}},
                                              {std::string(urn::kStix12), {}, stix + "no</s:Title></s:STIX_Header></s:STIX_Package>", {}},
                                              {std::string(urn::kCap11), {}, "<alert/>", {}}})
                         .ok());
  auto topology = std::make_shared<Topology>(
      std::vector<Listener>{{std::string(urn::kProtocolHttp), "http://127.0.0.1:9000"}}, svcs, cols);
  const Plugins plugins{nullptr, &queries};
  Dispatcher d;
  d.add("/d", std::make_shared<DiscoveryService>(topology, &queries, "discovery"));
  d.add("/poll", std::make_shared<PollService>(topology, *store, "poll", PollOptions{}, nullptr, plugins));
  d.add("/plain", std::make_shared<PollService>(topology, *store, "plain", PollOptions{}, nullptr, plugins));
  RequestContext ctx;
  v11::PollRequest r;
  r.message_id = "1";
  r.collection_name = "feed";
  r.poll_parameters = v11::PollParameters{};
  r.poll_parameters->query = v11::Query{
      std::string(urn::kQueryDefault10),
      Mixed{R"(<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" )"
            R"(targeting_expression_id="urn:stix.mitre.org:xml:1.2"><tdq:Criteria operator="AND"><tdq:Criterion>)"
            R"(<tdq:Target>STIX_Package/STIX_Header/Title</tdq:Target><tdq:Test )"
            R"(capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="equals">)"
            R"(<tdq:Parameter name="match_type">case_sensitive_string</tdq:Parameter>)"
            R"(<tdq:Parameter name="value">yes</tdq:Parameter></tdq:Test></tdq:Criterion></tdq:Criteria>)"
            R"(</tdq:Default_Query>)"}};
  const Message got = d.dispatch("/poll", r, ctx);
  const auto& p = std::get<v11::PollResponse>(got);
  BOOST_TEST_REQUIRE(p.content_blocks.size() == 1u);
  BOOST_TEST(p.content_blocks[0].content.xml.find("yes") != std::string::npos);
  BOOST_TEST(p.record_count->count == 1u);
  const Message refused = d.dispatch("/plain", r, ctx);
  const auto& s = std::get<v11::StatusMessage>(refused);
  BOOST_TEST(s.status_type == "UNSUPPORTED_QUERY");
  BOOST_TEST(s.details.empty());

  v11::DiscoveryRequest dr;
  dr.message_id = "2";
  const Message disc = d.dispatch("/d", dr, ctx);
  const auto& instances = std::get<v11::DiscoveryResponse>(disc).service_instances;
  BOOST_TEST_REQUIRE(instances.size() == 3u);
  BOOST_TEST(instances[0].supported_queries.empty());
  BOOST_TEST(instances[1].supported_queries.size() == 1u);
  BOOST_TEST(instances[2].supported_queries.empty());
}
