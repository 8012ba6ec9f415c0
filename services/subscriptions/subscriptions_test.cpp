// Unit tests of subscriptions (issue #6) over an in-memory SQLite store: the Manage
// Collection Subscription rules per requester, the outbox worker driven one round at a time
// with a fake PushSender (batches, order, retries, pause, COUNT_ONLY, Data Sets, XML 1.0), the
// receiving Inbox's duplicate skipping, and asynchronous results.
#define BOOST_TEST_MODULE subscriptions
#include <boost/test/unit_test.hpp>

#include <deque>
#include <memory>
#include <thread>
#include <variant>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "services/collection_management/collection_management_service.hpp"
#include "services/inbox/inbox_service.hpp"
#include "services/poll/async_poll.hpp"
#include "services/poll/poll_service.hpp"
#include "services/push/outbox_worker.hpp"
#include "services/push/push_message.hpp"
#include "services/subscriptions/subscription_codec.hpp"
#include "storage/test_store.hpp"

using namespace taxii;
using namespace taxii::services;

namespace {

const std::string kHttp(urn::kProtocolHttp);
const std::string kXml11(urn::kMessageXml11);
const std::string kXml10(urn::kMessageXml10);

// Records what would be sent and answers from a script: "SUCCESS", another status type, or
// "" for a network failure. Without a script: SUCCESS.
class FakeSender final : public PushSender {
 public:
  struct Sent {
    PushAddress to;
    HttpHeaders headers;
    Message message;
  };
  std::vector<Sent> sent;
  std::deque<std::string> script;

  Result<PushReply> post(const PushAddress& to, const HttpHeaders& headers, const std::string& body) override {
    auto m = xml::parse_any(body);
    BOOST_TEST_REQUIRE(m.ok(), (m.ok() ? "" : m.error().message()));
    sent.push_back({to, headers, *m});
    std::string answer = "SUCCESS";
    if (!script.empty()) {
      answer = script.front();
      script.pop_front();
    }
    if (answer.empty()) return Error::failure("connection refused");
    v11::StatusMessage s;
    s.message_id = "1";
    s.in_response_to = message_id_of(*m);
    s.status_type = answer;
    PushReply r;
    r.http_status = 200;
    r.taxii_content_type = kXml11;
    r.body = *xml::serialize_any(s);
    return r;
  }
};

struct Fixture {
  storage::testing::TestStore store;  // SQLite in memory, or PostgreSQL (TAXII_TEST_STORE)
  std::shared_ptr<Topology> topology;
  std::unique_ptr<CollectionManagementService> cm;
  std::unique_ptr<InboxService> inbox;
  std::unique_ptr<OutboxWorker> worker;
  FakeSender sender;

  Fixture() {
    store = storage::testing::open_test_store("subscriptions");
    std::vector<ServiceInfo> svcs(3);
    svcs[0] = {"cm", ServiceType::CollectionManagement, "/cm", {}, {}, {}, {}, {}, false};
    svcs[1] = {"inbox", ServiceType::Inbox, "/inbox", {}, DestinationPolicy::Optional, {"feed"}, {}, {}, false};
    svcs[2] = {"poll", ServiceType::Poll, "/poll", {}, {}, {}, {}, {}, false};
    std::vector<CollectionInfo> cols(2);
    cols[0] = {"feed", "a feed", v11::CollectionType::DataFeed,
               {{std::string(urn::kStix12), {}}, {std::string(urn::kStix111), {}}}, {"poll"}, {"inbox"}, false};
    cols[1] = {"set", "a set", v11::CollectionType::DataSet, {}, {"poll"}, {"inbox"}, false};
    for (const auto& c : cols) BOOST_TEST_REQUIRE(store->ensure_collection(c.name).ok());
    topology = std::make_shared<Topology>(std::vector<Listener>{{kHttp, "http://127.0.0.1:9000"}}, svcs, cols);
    cm = std::make_unique<CollectionManagementService>(topology, *store);
    inbox = std::make_unique<InboxService>(topology, *store, "inbox");
    PushOptions o;
    o.max_blocks = 2;
    o.retry_initial = std::chrono::milliseconds(0);
    o.retry_max = std::chrono::milliseconds(1);
    worker = std::make_unique<OutboxWorker>(topology, *store, [] { return std::unique_ptr<PushSender>(); }, o);
  }

  Result<Message> manage(v11::ManageCollectionSubscriptionRequest r, const std::string& who = "alice",
                         Version v = Version::V11) {
    r.message_id = "1";
    RequestContext ctx;
    ctx.identity = who;
    ctx.requested_version = v;
    return cm->handle(r, ctx);
  }
  std::string subscribe(const std::string& collection, std::optional<v11::PushParameters> push,
                        v11::SubscriptionParameters params = {}, const std::string& who = "alice") {
    v11::ManageCollectionSubscriptionRequest r;
    r.action = v11::SubscriptionAction::Subscribe;
    r.collection_name = collection;
    r.subscription_parameters = params;
    r.push_parameters = std::move(push);
    auto out = manage(r, who);
    BOOST_TEST_REQUIRE(out.ok(), (out.ok() ? "" : out.error().message()));
    return std::get<v11::ManageCollectionSubscriptionResponse>(*out).subscriptions.at(0).subscription_id;
  }
  void add(const std::string& collection, const std::vector<std::string>& texts,
           const std::string& binding = std::string(urn::kStix12)) {
    std::vector<storage::NewBlock> bs;
    for (const auto& t : texts) bs.push_back({binding, std::nullopt, t, std::nullopt});
    BOOST_TEST_REQUIRE(store->append({collection}, bs).ok());
  }
  // Runs rounds until there is nothing left to do, also after the (1 ms) retry delays.
  void drain() {
    for (int i = 0; i < 200; ++i) {
      if (worker->run_once(sender, "test-worker")) continue;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (!worker->run_once(sender, "test-worker")) break;
    }
  }
  const v11::InboxMessage& pushed(std::size_t i) const { return std::get<v11::InboxMessage>(sender.sent.at(i).message); }
};

v11::PushParameters push_to(const std::string& address = "http://127.0.0.1:1/inbox", const std::string& binding = kXml11) {
  return {kHttp, address, binding};
}

std::vector<std::string> texts(const v11::InboxMessage& m) {
  std::vector<std::string> out;
  for (const auto& b : m.content_blocks) out.push_back(b.content.xml);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(subscriptions_belong_to_their_requester) {
  Fixture f;
  const std::string mine = f.subscribe("feed", std::nullopt);
  const std::string theirs = f.subscribe("feed", std::nullopt, {}, "bob");
  BOOST_TEST(mine != theirs);  // identical parameters, another requester: another subscription
  v11::ManageCollectionSubscriptionRequest status;
  status.action = v11::SubscriptionAction::Status;
  status.collection_name = "feed";
  auto listed = f.manage(status);
  BOOST_TEST_REQUIRE(listed.ok());
  BOOST_TEST(std::get<v11::ManageCollectionSubscriptionResponse>(*listed).subscriptions.size() == 1u);
  // Another requester's id does not exist for alice: PAUSE -> NOT_FOUND, UNSUBSCRIBE -> success
  // that changes nothing (Services 1.1 §4.4.6 rules 3, 7).
  v11::ManageCollectionSubscriptionRequest pause = status;
  pause.action = v11::SubscriptionAction::Pause;
  pause.subscription_id = theirs;
  BOOST_TEST(f.manage(pause).error().type() == StatusType::NotFound);
  pause.action = v11::SubscriptionAction::Unsubscribe;
  BOOST_TEST(f.manage(pause).ok());
  BOOST_TEST(f.store->get_subscription(theirs)->has_value());
  // Nor can alice poll it.
  PollService poll(f.topology, *f.store, "poll", PollOptions{});
  v11::PollRequest p;
  p.message_id = "2";
  p.collection_name = "feed";
  p.subscription_id = theirs;
  RequestContext alice;
  alice.identity = "alice";
  BOOST_TEST(poll.handle(p, alice).error().type() == StatusType::NotFound);
}

BOOST_AUTO_TEST_CASE(codec_round_trips) {
  v11::SubscriptionParameters p;
  p.response_type = v11::ResponseType::CountOnly;
  p.content_bindings = {{"urn:a\tb%", {"sub\n1", "s2"}}, {"urn:c", {}}};
  p.query = v11::Query{"urn:q", Mixed{"<q a=\"1\">\n\t%x</q>"}};
  const auto text = encode_parameters(p);
  BOOST_TEST_REQUIRE(decode_parameters(text).has_value());
  BOOST_TEST((*decode_parameters(text) == p));
  BOOST_TEST(!decode_parameters("nonsense").has_value());
  BOOST_TEST(spec_key(text, std::nullopt) != spec_key(text, push_to()));
  BOOST_TEST(spec_key(text, push_to()) == spec_key(encode_parameters(p), push_to()));
  BOOST_TEST(spec_key(text, push_to()).size() == 32u);
}

BOOST_AUTO_TEST_CASE(outbox_delivers_batches_in_order_and_retries) {
  Fixture f;
  f.add("feed", {"old"});  // before the subscription: not delivered
  const std::string id = f.subscribe("feed", push_to());
  f.add("feed", {"b1", "b2", "b3"});
  f.add("feed", {"x1"}, std::string(urn::kStix111));
  f.sender.script = {"FAILURE", ""};  // a non-SUCCESS answer, then a network failure
  f.drain();
  // Two failed attempts of the first batch, then three batches (2 + 2 blocks; max_blocks 2).
  BOOST_TEST_REQUIRE(f.sender.sent.size() == 4u);
  BOOST_TEST((texts(f.pushed(0)) == std::vector<std::string>{"b1", "b2"}));
  BOOST_TEST((texts(f.pushed(1)) == std::vector<std::string>{"b1", "b2"}));
  BOOST_TEST((texts(f.pushed(2)) == std::vector<std::string>{"b1", "b2"}));
  BOOST_TEST((texts(f.pushed(3)) == std::vector<std::string>{"b3", "x1"}));
  const auto& first = *f.pushed(2).source_subscription;
  BOOST_TEST(first.subscription_id == id);
  BOOST_TEST(first.collection_name == "feed");
  const auto& second = *f.pushed(3).source_subscription;
  BOOST_TEST((second.exclusive_begin == first.inclusive_end));
  BOOST_TEST(f.worker->counters().messages == 2u);
  BOOST_TEST(f.worker->counters().blocks == 4u);
  BOOST_TEST(f.worker->counters().failures == 2u);
  auto s = *f.store->get_subscription(id);
  BOOST_TEST(s->attempts == 0u);
  BOOST_TEST((s->push_cursor == second.inclusive_end));
  // Headers of the HTTP binding, XML 1.1.
  bool content_type = false;
  for (const auto& [k, v] : f.sender.sent[0].headers) content_type = content_type || (k == "X-TAXII-Content-Type" && v == kXml11);
  BOOST_TEST(content_type);
}

BOOST_AUTO_TEST_CASE(outbox_filters_counts_pauses_and_speaks_10) {
  Fixture f;
  v11::SubscriptionParameters only12;
  only12.content_bindings = {{std::string(urn::kStix12), {}}};
  const std::string filtered = f.subscribe("feed", push_to("http://127.0.0.1:1/a"), only12);
  v11::SubscriptionParameters counting;
  counting.response_type = v11::ResponseType::CountOnly;
  const std::string counter = f.subscribe("feed", push_to("http://127.0.0.1:1/b"), counting);
  const std::string v10 = f.subscribe("feed", push_to("http://127.0.0.1:1/c", kXml10));
  const std::string set = f.subscribe("set", push_to("http://127.0.0.1:1/d"));
  f.add("feed", {"x1"}, std::string(urn::kStix111));
  f.add("feed", {"a1"});
  f.add("set", {"s1"});
  f.drain();
  BOOST_TEST_REQUIRE(f.sender.sent.size() == 4u);
  for (const auto& s : f.sender.sent) {
    if (s.to.target == "/a") {
      BOOST_TEST((texts(std::get<v11::InboxMessage>(s.message)) == std::vector<std::string>{"a1"}));
    } else if (s.to.target == "/b") {
      const auto& m = std::get<v11::InboxMessage>(s.message);
      BOOST_TEST(m.content_blocks.empty());
      BOOST_TEST(m.record_count->count == 2u);
    } else if (s.to.target == "/c") {
      const auto& m = std::get<v10::InboxMessage>(s.message);  // bridged to XML 1.0
      BOOST_TEST(m.source_subscription->feed_name == "feed");
      BOOST_TEST(m.source_subscription->subscription_id.value_or("") == v10);
      BOOST_TEST(m.content_blocks.size() == 2u);
    } else {
      const auto& m = std::get<v11::InboxMessage>(s.message);  // a Data Set: no timestamps
      BOOST_TEST(!m.source_subscription->inclusive_end.has_value());
      BOOST_TEST(!m.source_subscription->exclusive_begin.has_value());
      BOOST_TEST(m.source_subscription->subscription_id == set);
    }
  }
  // Paused: nothing; resumed: what arrived meanwhile (Services 1.1 §5.4.2).
  BOOST_TEST(*f.store->set_subscription_state(filtered, storage::SubscriptionState::Paused));
  f.add("feed", {"a2"});
  f.sender.sent.clear();
  f.drain();
  BOOST_TEST(f.sender.sent.size() == 2u);  // the counter and the 1.0 subscriber
  BOOST_TEST(*f.store->set_subscription_state(filtered, storage::SubscriptionState::Active));
  f.sender.sent.clear();
  f.drain();
  BOOST_TEST_REQUIRE(f.sender.sent.size() == 1u);
  BOOST_TEST((texts(f.pushed(0)) == std::vector<std::string>{"a2"}));
  (void)counter;
}

BOOST_AUTO_TEST_CASE(inbox_skips_what_a_source_sent_before) {
  Fixture f;
  v11::InboxMessage m;
  m.message_id = "9";
  m.source_subscription = v11::SourceSubscription{"remote", "urn:uuid:s", std::nullopt, Timestamp::from_micros(20)};
  for (int i = 1; i <= 2; ++i) {
    v11::ContentBlock b;
    b.binding_id = std::string(urn::kStix12);
    b.content = Mixed::text("r" + std::to_string(i));
    b.timestamp_label = Timestamp::from_micros(10 * i);
    m.content_blocks.push_back(b);
  }
  RequestContext ctx;
  auto first = f.inbox->handle(m, ctx);
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST(!std::get<v11::StatusMessage>(*first).message.has_value());
  auto again = f.inbox->handle(m, ctx);  // the same message re-sent: SUCCESS, nothing stored
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(std::get<v11::StatusMessage>(*again).message.value_or("").find("2 content block(s)") == 0u);
  storage::ScanQuery q;
  q.collection = "feed";
  BOOST_TEST(*f.store->count(q) == 2u);
  m.source_subscription->subscription_id = "urn:uuid:other";  // another source: its own mark
  BOOST_TEST(f.inbox->handle(m, ctx).ok());
  BOOST_TEST(*f.store->count(q) == 4u);
}

BOOST_AUTO_TEST_CASE(asynchronous_results_pending_built_and_pushed) {
  Fixture f;
  f.add("feed", {"p1", "p2", "p3"});
  PollOptions o;
  o.part_size = 2;
  o.async_threshold = 0;
  PollService poll(f.topology, *f.store, "poll", o);
  v11::PollRequest r;
  r.message_id = "3";
  r.collection_name = "feed";
  r.poll_parameters = v11::PollParameters{};
  r.poll_parameters->allow_asynch = true;
  r.poll_parameters->delivery_parameters = push_to();
  RequestContext ctx;
  auto pending = poll.handle(r, ctx);
  BOOST_TEST_REQUIRE(!pending.ok());
  BOOST_TEST(pending.error().type() == StatusType::Pending);
  const auto& d = pending.error().details();
  BOOST_TEST_REQUIRE(d.size() == 3u);
  BOOST_TEST(d[0].name == "ESTIMATED_WAIT");
  BOOST_TEST(d[2].value == "true");  // WILL_PUSH
  const std::string id = d[1].value;
  // Not built yet: PENDING again.
  v11::PollFulfillment ff;
  ff.message_id = "4";
  ff.collection_name = "feed";
  ff.result_id = id;
  ff.result_part_number = 1;
  BOOST_TEST(poll.handle(ff, ctx).error().type() == StatusType::Pending);
  f.drain();  // builds it, then pushes its two parts
  BOOST_TEST_REQUIRE(f.sender.sent.size() == 2u);
  BOOST_TEST(f.pushed(0).result_id.value_or("") == id);
  BOOST_TEST((texts(f.pushed(0)) == std::vector<std::string>{"p1", "p2"}));
  BOOST_TEST((texts(f.pushed(1)) == std::vector<std::string>{"p3"}));
  BOOST_TEST(f.pushed(1).record_count->count == 3u);
  auto part2 = poll.handle(ff, ctx);
  BOOST_TEST_REQUIRE(part2.ok());
  BOOST_TEST(std::get<v11::PollResponse>(*part2).more);
  // A failed result: ASYNCHRONOUS_POLL_ERROR.
  auto a = **f.store->get_async_result(id);
  auto claimed = f.store->claim_async_work({"w", Timestamp::now(), Timestamp::from_micros(Timestamp::now().micros() + 1000000)}, 1);
  BOOST_TEST(claimed->empty());  // nothing left to do
  a.state = storage::AsyncState::Failed;
  BOOST_TEST_REQUIRE(f.store->put_async_result(a).ok());
  BOOST_TEST(poll.handle(ff, ctx).error().type() == StatusType::AsynchronousPollError);
  // Gone (the result set expired, the record is kept): ASYNCHRONOUS_POLL_ERROR too.
  a.state = storage::AsyncState::Ready;
  BOOST_TEST_REQUIRE(f.store->put_async_result(a).ok());
  BOOST_TEST(*f.store->expire_result_sets(Timestamp::from_micros(Timestamp::now().micros() + 1000000)) >= 1u);
  BOOST_TEST(poll.handle(ff, ctx).error().type() == StatusType::AsynchronousPollError);
  // allow_asynch false: never PENDING.
  r.poll_parameters->allow_asynch = false;
  BOOST_TEST(poll.handle(r, ctx).ok());
}

// Issue #10: a result set's request keeps the poll's query (format 2), byte for byte, and the
// format without a query stays the one older results were stored with.
BOOST_AUTO_TEST_CASE(poll_filter_with_a_query_round_trips) {
  PollFilter f;
  f.bindings = {{std::string(urn::kStix12), {"a\tb", "100%"}}, {std::string(urn::kStix111), {}}};
  BOOST_TEST(encode_poll_filter(f) == encode_filter(f.bindings));
  auto plain = decode_poll_filter(encode_filter(f.bindings));
  BOOST_TEST_REQUIRE(plain.has_value());
  BOOST_TEST(!plain->query.has_value());
  BOOST_TEST(plain->bindings.size() == 2u);
  f.query = v11::Query{std::string(urn::kQueryDefault10), Mixed{"<q a=\"1\">\n\tx%0A y\n</q>"}};
  auto back = decode_poll_filter(encode_poll_filter(f));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST_REQUIRE(back->query.has_value());
  BOOST_TEST(back->query->format_id == f.query->format_id);
  BOOST_TEST(back->query->body.xml == f.query->body.xml);
  BOOST_TEST_REQUIRE(back->bindings.size() == 2u);
  BOOST_TEST(back->bindings[0].subtypes == f.bindings[0].subtypes, boost::test_tools::per_element());
  f.bindings.clear();
  back = decode_poll_filter(encode_poll_filter(f));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->bindings.empty());
  BOOST_TEST(back->query->body.xml == f.query->body.xml);
  BOOST_TEST(!decode_poll_filter("taxiid-poll-filter-2\nnot a query\n").has_value());
}
