// Wire tests of Manage Collection Subscription (TAXII 1.1) and Manage Feed Subscription (1.0)
// against a real taxiid (issue #6): every action and status, the processing rules of Services
// 1.1 §4.4.6 (Services 1.1 §4.4.6), their errors, and Poll_Request by Subscription_ID.
// Push delivery itself: wire_push_test.cpp.
#define BOOST_TEST_MODULE wire_subscriptions
#include <boost/test/unit_test.hpp>

#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

using namespace ids;
// Nothing listens on the discard port: pushes to it fail and are retried, harmlessly.
const std::string kNowhere = "http://127.0.0.1:9/services/inbox";

ServerSpec spec() {
  ServerSpec s;
  // A collection nobody can poll (Services 1.1 §4.4.6: POLLING_UNSUPPORTED without push).
  s.extra_yaml = "  - name: receive-only\n    description: no poll service\n    service_ids: [inbox]\n";
  return s;
}

v11::ManageCollectionSubscriptionRequest request(v11::SubscriptionAction a, const std::string& collection = "default",
                                                 std::optional<std::string> id = std::nullopt) {
  v11::ManageCollectionSubscriptionRequest r;
  r.message_id = next_id();
  r.action = a;
  r.collection_name = collection;
  r.subscription_id = std::move(id);
  if (a == v11::SubscriptionAction::Subscribe) r.subscription_parameters = v11::SubscriptionParameters{};
  return r;
}

std::vector<std::string> details(const Reply& r, const std::string& name) {
  std::vector<std::string> out;
  if (!r.message) return out;
  if (auto* s = std::get_if<v11::StatusMessage>(&*r.message))
    for (const auto& d : s->details)
      if (d.name == name) out.push_back(d.value.text_value());
  return out;
}

struct Wire {
  TaxiidProcess server{spec()};
  Client client{server.http_port()};
  std::string base = "http://127.0.0.1:" + std::to_string(server.http_port());
  ~Wire() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }

  Reply manage(const Message& m) { return client.send("/services/collection-management", m); }
  v11::ManageCollectionSubscriptionResponse ok(const v11::ManageCollectionSubscriptionRequest& r) {
    Reply reply = manage(r);
    BOOST_TEST_REQUIRE(reply.message.has_value(), reply.parse_error);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*reply.message), reply.body);
    const auto& out = reply.as<v11::ManageCollectionSubscriptionResponse>();
    BOOST_TEST(out.in_response_to == r.message_id);
    BOOST_TEST(out.collection_name == r.collection_name);
    return out;
  }
  std::string subscribe(std::vector<v11::ContentBinding> bindings = {}, bool push = false,
                        v11::ResponseType type = v11::ResponseType::Full) {
    auto r = request(v11::SubscriptionAction::Subscribe);
    r.subscription_parameters->content_bindings = std::move(bindings);
    r.subscription_parameters->response_type = type;
    if (push) r.push_parameters = v11::PushParameters{kHttp, kNowhere, kXml11};
    auto out = ok(r);
    BOOST_TEST_REQUIRE(out.subscriptions.size() == 1u);
    return out.subscriptions[0].subscription_id;
  }
  void inbox(const std::vector<std::string>& texts, const std::string& binding = kStix12) {
    std::vector<Mixed> contents;
    for (const auto& t : texts) contents.push_back(Mixed::text(t));
    BOOST_TEST_REQUIRE(client.send("/services/inbox", inbox11({}, contents, binding)).status_type() == "SUCCESS");
  }
  v11::PollResponse poll_subscription(const std::string& id, std::optional<Timestamp> begin = std::nullopt) {
    v11::PollRequest p;
    p.message_id = next_id();
    p.collection_name = "default";
    p.subscription_id = id;
    p.exclusive_begin = begin;
    Reply r = client.send("/services/poll", p);
    BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
    return r.as<v11::PollResponse>();
  }
};

std::vector<std::string> texts(const v11::PollResponse& p) {
  std::vector<std::string> out;
  for (const auto& b : p.content_blocks) out.push_back(b.content.text_value());
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(subscriptions, Wire)

BOOST_AUTO_TEST_CASE(every_action_and_status_11) {
  using A = v11::SubscriptionAction;
  using S = v11::SubscriptionStatus;
  auto sub = request(A::Subscribe);
  sub.subscription_parameters->content_bindings = {{kStix12, {}}};
  sub.push_parameters = v11::PushParameters{kHttp, kNowhere, kXml11};
  auto created = ok(sub);
  BOOST_TEST_REQUIRE(created.subscriptions.size() == 1u);
  const auto& s = created.subscriptions[0];
  BOOST_TEST((s.status == S::Active));
  BOOST_TEST(s.subscription_id.rfind("urn:uuid:", 0) == 0u);
  BOOST_TEST_REQUIRE(s.subscription_parameters.has_value());
  BOOST_TEST((*s.subscription_parameters == *sub.subscription_parameters));
  BOOST_TEST_REQUIRE(s.push_parameters.has_value());
  BOOST_TEST((*s.push_parameters == *sub.push_parameters));
  BOOST_TEST_REQUIRE(s.poll_instances.size() == 1u);
  BOOST_TEST(s.poll_instances[0].address == base + "/services/poll");
  const std::string id = s.subscription_id;

  // Rule 5: identical -> the existing one. Different parameters -> a new one.
  sub.message_id = next_id();
  BOOST_TEST(ok(sub).subscriptions.at(0).subscription_id == id);
  const std::string polled = subscribe();
  BOOST_TEST(polled != id);

  auto status = ok(request(A::Status, "default", id));
  BOOST_TEST_REQUIRE(status.subscriptions.size() == 1u);
  BOOST_TEST(status.subscriptions[0].subscription_id == id);
  BOOST_TEST(status.subscriptions[0].subscription_parameters.has_value());  // MUST for STATUS
  auto all = ok(request(A::Status));
  BOOST_TEST_REQUIRE(all.subscriptions.size() == 2u);
  BOOST_TEST(all.subscriptions[1].subscription_id == polled);
  BOOST_TEST(!all.subscriptions[1].push_parameters.has_value());  // present iff pushing
  BOOST_TEST(ok(request(A::Status, "second")).subscriptions.empty());

  // Rule 6: PAUSE of a paused / RESUME of an active subscription is a success, unchanged.
  for (int i = 0; i < 2; ++i) BOOST_TEST((ok(request(A::Pause, "default", id)).subscriptions.at(0).status == S::Paused));
  BOOST_TEST((ok(request(A::Status, "default", id)).subscriptions.at(0).status == S::Paused));
  for (int i = 0; i < 2; ++i) BOOST_TEST((ok(request(A::Resume, "default", id)).subscriptions.at(0).status == S::Active));

  auto gone = ok(request(A::Unsubscribe, "default", id));
  BOOST_TEST_REQUIRE(gone.subscriptions.size() == 1u);
  BOOST_TEST((gone.subscriptions[0].status == S::Unsubscribed));
  BOOST_TEST(gone.subscriptions[0].subscription_id == id);
  // Rule 3: UNSUBSCRIBE of an unknown id is a success that changes nothing.
  auto again = ok(request(A::Unsubscribe, "default", id));
  BOOST_TEST((again.subscriptions.at(0).status == S::Unsubscribed));
  BOOST_TEST(ok(request(A::Status)).subscriptions.size() == 1u);
  // A subscription belongs to its collection: unknown elsewhere.
  BOOST_TEST(manage(request(A::Status, "second", polled)).status_type() == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(processing_rules_and_errors_11) {
  using A = v11::SubscriptionAction;
  // Rule 2: unknown collection.
  Reply r = manage(request(A::Subscribe, "no-such-collection"));
  BOOST_TEST(r.status_type() == "NOT_FOUND");
  BOOST_TEST(details(r, "ITEM") == std::vector<std::string>{"no-such-collection"});
  BOOST_TEST(manage(request(A::Unsubscribe, "no-such-collection", "urn:x")).status_type() == "NOT_FOUND");
  // Rule 7: PAUSE, RESUME, STATUS of an unknown id.
  for (A a : {A::Pause, A::Resume, A::Status}) {
    r = manage(request(a, "default", "urn:uuid:00000000-0000-4000-8000-000000000000"));
    BOOST_TEST(r.status_type() == "NOT_FOUND");
    BOOST_TEST(details(r, "ITEM").at(0) == "urn:uuid:00000000-0000-4000-8000-000000000000");
  }
  // Rule 4, in order: protocol, message binding, query, content.
  auto bad = request(A::Subscribe);
  bad.push_parameters = v11::PushParameters{"urn:example:protocol:smtp", "mailto:x@example.com", kXml11};
  r = manage(bad);
  BOOST_TEST(r.status_type() == "UNSUPPORTED_PROTOCOL");
  BOOST_TEST(details(r, "SUPPORTED_PROTOCOL").size() == 2u);
  bad.push_parameters = v11::PushParameters{kHttp, kNowhere, "urn:example:message:json"};
  r = manage(bad);
  BOOST_TEST(r.status_type() == "UNSUPPORTED_MESSAGE");
  BOOST_TEST((details(r, "SUPPORTED_BINDING") == std::vector<std::string>{kXml11, kXml10}));
  // A bad delivery address: not a URL -> BAD_MESSAGE; another scheme, or a scheme that is
  // not the protocol binding's -> UNSUPPORTED_PROTOCOL (docs/subscriptions.md).
  for (const char* address : {"not a url", "http://", "http://127.0.0.1:99999/inbox", "http://user@host/inbox"}) {
    bad.push_parameters = v11::PushParameters{kHttp, address, kXml11};
    BOOST_TEST(manage(bad).status_type() == "BAD_MESSAGE", address);
  }
  for (const char* address : {"ftp://127.0.0.1/inbox", "https://127.0.0.1/inbox"}) {
    bad.push_parameters = v11::PushParameters{kHttp, address, kXml11};
    BOOST_TEST(manage(bad).status_type() == "UNSUPPORTED_PROTOCOL", address);
  }
  // A query format the server does not know (queries themselves: wire_query_test.cpp).
  auto query = request(A::Subscribe);
  query.subscription_parameters->query =
      v11::Query{"urn:example:query:unknown",
                 Mixed{"<tdq:Default_Query xmlns:tdq=\"http://taxii.mitre.org/query/taxii_default_query-1\" "
                       "targeting_expression_id=\"urn:stix.mitre.org:xml:1.1.1\"><tdq:Criteria operator=\"AND\">"
                       "<tdq:Criterion negate=\"false\"><tdq:Target>**</tdq:Target><tdq:Test "
                       "capability_id=\"urn:taxii.mitre.org:query:capability:core-1\" relationship=\"exists\"/>"
                       "</tdq:Criterion></tdq:Criteria></tdq:Default_Query>"}};
  r = manage(query);
  BOOST_TEST(r.status_type() == "UNSUPPORTED_QUERY");
  BOOST_TEST(details(r, "SUPPORTED_QUERY") == std::vector<std::string>{std::string(urn::kQueryDefault10)},
             boost::test_tools::per_element());
  auto content = request(A::Subscribe);
  content.subscription_parameters->content_bindings = {{std::string(urn::kCap11), {}}};
  r = manage(content);
  BOOST_TEST(r.status_type() == "UNSUPPORTED_CONTENT");
  BOOST_TEST(details(r, "SUPPORTED_CONTENT").size() == 5u);
  // A Data Set's content cannot be pushed in TAXII 1.0.
  auto set = request(A::Subscribe, "set");
  set.push_parameters = v11::PushParameters{kHttp, kNowhere, kXml10};
  BOOST_TEST(manage(set).status_type() == "UNSUPPORTED_MESSAGE");
  // Without push parameters, a collection nobody can poll.
  BOOST_TEST(manage(request(A::Subscribe, "receive-only")).status_type() == "POLLING_UNSUPPORTED");
  auto pushed = request(A::Subscribe, "receive-only");
  pushed.push_parameters = v11::PushParameters{kHttp, kNowhere, kXml11};
  BOOST_TEST(ok(pushed).subscriptions.at(0).poll_instances.empty());
  // Nothing was created by the refused requests (Services 1.1 §3.5).
  BOOST_TEST(ok(request(A::Status)).subscriptions.empty());
}

BOOST_AUTO_TEST_CASE(every_action_10) {
  v10::ManageFeedSubscriptionRequest sub;
  sub.message_id = "100";
  sub.action = v10::SubscriptionAction::Subscribe;
  sub.feed_name = "default";
  sub.push_parameters = v10::PushParameters{kHttp, kNowhere, kXml10, {kStix12}};
  Reply r = manage(sub);
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
  BOOST_TEST_REQUIRE(std::holds_alternative<v10::ManageFeedSubscriptionResponse>(*r.message), r.body);
  const auto& created = r.as<v10::ManageFeedSubscriptionResponse>();
  BOOST_TEST(created.in_response_to == "100");
  BOOST_TEST(created.feed_name == "default");
  BOOST_TEST_REQUIRE(created.subscriptions.size() == 1u);
  const std::string id = created.subscriptions[0].subscription_id;
  BOOST_TEST(!created.subscriptions[0].push_parameters.has_value());  // XML 1.0 §3.7: STATUS only
  BOOST_TEST(created.subscriptions[0].poll_instances.size() == 1u);

  v10::ManageFeedSubscriptionRequest status;
  status.message_id = "101";
  status.action = v10::SubscriptionAction::Status;
  status.feed_name = "default";
  r = manage(status);
  const auto& listed = r.as<v10::ManageFeedSubscriptionResponse>();
  BOOST_TEST_REQUIRE(listed.subscriptions.size() == 1u);
  BOOST_TEST(listed.subscriptions[0].subscription_id == id);
  BOOST_TEST_REQUIRE(listed.subscriptions[0].push_parameters.has_value());
  BOOST_TEST(listed.subscriptions[0].push_parameters->address == kNowhere);
  BOOST_TEST(listed.subscriptions[0].push_parameters->content_bindings == std::vector<std::string>{kStix12});
  // The same subscription seen in 1.1.
  auto as11 = ok(request(v11::SubscriptionAction::Status, "default", id));
  BOOST_TEST(as11.subscriptions.at(0).push_parameters->message_binding == kXml10);

  v10::ManageFeedSubscriptionRequest unsub;
  unsub.message_id = "102";
  unsub.action = v10::SubscriptionAction::Unsubscribe;
  unsub.feed_name = "default";
  unsub.subscription_id = id;
  for (int i = 0; i < 2; ++i) {  // the second time: unknown, still a success (rule 3)
    r = manage(unsub);
    BOOST_TEST_REQUIRE(std::holds_alternative<v10::ManageFeedSubscriptionResponse>(*r.message), r.body);
    BOOST_TEST(r.as<v10::ManageFeedSubscriptionResponse>().subscriptions.at(0).subscription_id == id);
  }
  r = manage(status);
  BOOST_TEST(r.as<v10::ManageFeedSubscriptionResponse>().subscriptions.empty());

  // 1.0 errors carry the 1.0 detail forms.
  sub.message_id = "103";
  sub.push_parameters->protocol_binding = "urn:example:protocol:smtp";
  r = manage(sub);
  BOOST_TEST(r.status_type() == "UNSUPPORTED_PROTOCOL");
  BOOST_TEST(r.as<v10::StatusMessage>().status_detail.value_or("") == kHttp + " " + std::string(urn::kProtocolHttps));
  sub.feed_name = "no-such-feed";
  BOOST_TEST(manage(sub).status_type() == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(poll_by_subscription_id) {
  const std::string id = subscribe({{kStix12, {}}});
  const std::string counting = subscribe({}, false, v11::ResponseType::CountOnly);
  inbox({"a1", "a2"});
  inbox({"b1"}, kStix111);
  // The subscription's bindings apply; Subscription_ID is echoed (Services 1.1 §4.4.9).
  auto first = poll_subscription(id);
  BOOST_TEST((texts(first) == std::vector<std::string>{"a1", "a2"}));
  BOOST_TEST(first.subscription_id.value_or("") == id);
  BOOST_TEST(first.record_count->count == 2u);
  BOOST_TEST(!first.exclusive_begin.has_value());  // the collection was empty when subscribed
  // Since the last delivery: nothing new, then only what arrived.
  BOOST_TEST(poll_subscription(id).content_blocks.empty());
  inbox({"a3"});
  auto third = poll_subscription(id);
  BOOST_TEST((texts(third) == std::vector<std::string>{"a3"}));
  BOOST_TEST((third.exclusive_begin == first.inclusive_end));
  // An explicit Exclusive_Begin_Timestamp wins (a client recovering a lost answer).
  BOOST_TEST((texts(poll_subscription(id, Timestamp::from_micros(1))) == std::vector<std::string>{"a1", "a2", "a3"}));
  // COUNT_ONLY: counts, no blocks.
  auto counted = poll_subscription(counting);
  BOOST_TEST(counted.content_blocks.empty());
  BOOST_TEST(counted.record_count->count == 4u);
  // A paused subscription may still be polled (Services 1.1 §5.4.2).
  BOOST_TEST((ok(request(v11::SubscriptionAction::Pause, "default", id)).subscriptions.at(0).status ==
              v11::SubscriptionStatus::Paused));
  inbox({"a4"});
  BOOST_TEST((texts(poll_subscription(id)) == std::vector<std::string>{"a4"}));

  // TAXII 1.0: @subscription_id on the Poll_Request.
  inbox({"a5"});
  v10::PollRequest p10;
  p10.message_id = "200";
  p10.feed_name = "default";
  p10.subscription_id = id;
  Reply r = client.send("/services/poll", p10);
  BOOST_TEST_REQUIRE(std::holds_alternative<v10::PollResponse>(*r.message), r.body);
  BOOST_TEST(r.as<v10::PollResponse>().subscription_id.value_or("") == id);
  BOOST_TEST_REQUIRE(r.as<v10::PollResponse>().content_blocks.size() == 1u);
  BOOST_TEST(r.as<v10::PollResponse>().content_blocks[0].content.text_value() == "a5");

  // Unknown id, or an id of another collection -> NOT_FOUND with ITEM.
  v11::PollRequest unknown;
  unknown.message_id = next_id();
  unknown.collection_name = "default";
  unknown.subscription_id = "urn:uuid:00000000-0000-4000-8000-000000000001";
  r = client.send("/services/poll", unknown);
  BOOST_TEST(r.status_type() == "NOT_FOUND");
  BOOST_TEST(details(r, "ITEM").at(0) == *unknown.subscription_id);
  unknown.collection_name = "second";
  unknown.subscription_id = id;
  BOOST_TEST(client.send("/services/poll", unknown).status_type() == "NOT_FOUND");
  // Unsubscribed: gone for polls too.
  (void)ok(request(v11::SubscriptionAction::Unsubscribe, "default", id));
  unknown.collection_name = "default";
  BOOST_TEST(client.send("/services/poll", unknown).status_type() == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(subscriptions_survive_a_restart) {
  const std::string id = subscribe({}, true);
  BOOST_TEST_REQUIRE(server.terminate() == 0);
  server.restart();
  Client again(server.http_port());
  auto r = request(v11::SubscriptionAction::Status, "default", id);
  Reply reply = again.send("/services/collection-management", r);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*reply.message), reply.body);
  BOOST_TEST(reply.as<v11::ManageCollectionSubscriptionResponse>().subscriptions.at(0).subscription_id == id);
  client = Client(server.http_port());
}

BOOST_AUTO_TEST_SUITE_END()
