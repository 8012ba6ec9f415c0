// Test support for store_failure_test and clock_test (header-only, tests only): the services of
// one taxiid over a FailingStore (storage/testing/failing_store.hpp) wrapped around the test
// store (in-memory SQLite, or a PostgreSQL schema with TAXII_TEST_STORE=postgres), a
// ManualClock for everything that reads the time, the outbox worker run one round at a time,
// and a subscriber: another taxiid's Inbox over a MemoryStore, reached by a PushSender that
// hands it the serialized message in-process (so the receiving side's duplicate skipping is
// the real one).
#pragma once

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "core/clock.hpp"
#include "core/urn.hpp"
#include "services/collection_management/collection_management_service.hpp"
#include "services/dispatcher.hpp"
#include "services/inbox/inbox_service.hpp"
#include "services/poll/poll_service.hpp"
#include "services/push/outbox_worker.hpp"
#include "storage/test_store.hpp"
#include "storage/testing/failing_store.hpp"
#include "storage/testing/memory_store.hpp"

namespace taxii::services::testing {

inline const std::string kHttp(urn::kProtocolHttp);
inline const std::string kXml11(urn::kMessageXml11);
inline const std::string kStix(urn::kStix12);

inline std::string status_of(const Message& m) {
  if (const auto* s = std::get_if<v11::StatusMessage>(&m)) return s->status_type;
  return std::string(message_type_name(m));
}

inline std::string detail(const Message& m, const std::string& name) {
  if (const auto* s = std::get_if<v11::StatusMessage>(&m))
    for (const auto& d : s->details)
      if (d.name == name) return d.value.text_value();
  return "";
}

inline std::vector<std::string> texts(const std::vector<v11::ContentBlock>& blocks) {
  std::vector<std::string> out;
  for (const auto& b : blocks) out.push_back(b.content.xml);
  return out;
}

// The subscriber: an Inbox (default collection "feed", any content) over a MemoryStore.
struct Subscriber {
  storage::testing::MemoryStore store;
  Dispatcher dispatcher;
  Subscriber() {
    BOOST_TEST_REQUIRE(store.ensure_collection("feed").ok());
    std::vector<ServiceInfo> svcs{
        {"inbox", ServiceType::Inbox, "/inbox", {}, DestinationPolicy::Optional, {"feed"}, {}, {}, false}};
    std::vector<CollectionInfo> cols{{"feed", "", v11::CollectionType::DataFeed, {}, {}, {"inbox"}, false}};
    auto topology = std::make_shared<Topology>(std::vector<Listener>{{kHttp, "http://127.0.0.1:9001"}}, svcs, cols);
    dispatcher.add("/inbox", std::make_shared<InboxService>(topology, store, "inbox"));
  }
  std::vector<std::string> held() {
    std::vector<std::string> out;
    const Status scanned = store.scan({"feed", std::nullopt, std::nullopt, {}, 0}, [&](storage::StoredBlock& b) {
      out.push_back(b.content);
      return true;
    });
    BOOST_TEST_REQUIRE(scanned.ok());
    return out;
  }
};

// Delivers to the Subscriber in-process: the body is parsed, dispatched to its Inbox as sender
// "source-taxiid", and its answer serialized back. refuse > 0: that many posts fail first.
class LoopbackSender final : public PushSender {
 public:
  explicit LoopbackSender(Subscriber& to) : to_(to) {}
  int refuse = 0;
  int posts = 0;
  Result<PushReply> post(const PushAddress&, const HttpHeaders&, const std::string& body) override {
    ++posts;
    if (refuse > 0) {
      --refuse;
      return Error::failure("connection refused");
    }
    auto m = xml::parse_any(body);
    BOOST_TEST_REQUIRE(m.ok());
    RequestContext ctx;
    ctx.identity = "source-taxiid";
    ctx.protocol_binding = kHttp;
    const Message answer = to_.dispatcher.dispatch("/inbox", *m, ctx);
    PushReply r;
    r.http_status = 200;
    r.taxii_content_type = kXml11;
    r.body = *xml::serialize_any(answer);
    return r;
  }

 private:
  Subscriber& to_;
};

// Collections: "feed" (DATA_FEED, STIX 1.2), served by /inbox and /poll; /cm manages
// subscriptions. Poll parts of 2 blocks.
struct ServicesFixture {
  storage::testing::TestStore real;  // SQLite in memory, or PostgreSQL (TAXII_TEST_STORE)
  std::unique_ptr<storage::testing::FailingStore> store;
  ManualClock clock{Timestamp::now()};
  std::shared_ptr<Topology> topology;
  Dispatcher dispatcher;
  std::unique_ptr<OutboxWorker> worker;
  Subscriber subscriber;
  LoopbackSender sender{subscriber};
  PushOptions push;
  std::string push_address = "http://127.0.0.1:9001/inbox";  // where subscriptions push to

  explicit ServicesFixture(PollOptions poll = {2, 3600, 100000}) {
    real = storage::testing::open_test_store("failure");
    store = std::make_unique<storage::testing::FailingStore>(*real);
    std::vector<ServiceInfo> svcs(3);
    svcs[0] = {"cm", ServiceType::CollectionManagement, "/cm", {}, {}, {}, {}, {}, false};
    svcs[1] = {"inbox", ServiceType::Inbox, "/inbox", {}, DestinationPolicy::Optional, {"feed"}, {}, {}, false};
    svcs[2] = {"poll", ServiceType::Poll, "/poll", {}, {}, {}, {}, {}, false};
    std::vector<CollectionInfo> cols{
        {"feed", "a feed", v11::CollectionType::DataFeed, {{kStix, {}}}, {"poll"}, {"inbox"}, false}};
    BOOST_TEST_REQUIRE(real->ensure_collection("feed").ok());
    topology = std::make_shared<Topology>(std::vector<Listener>{{kHttp, "http://127.0.0.1:9000"}}, svcs, cols);
    dispatcher.add("/cm",
                   std::make_shared<CollectionManagementService>(topology, *store, nullptr, QuerySupport{}, clock));
    dispatcher.add("/inbox", std::make_shared<InboxService>(topology, *store, "inbox"));
    dispatcher.add("/poll", std::make_shared<PollService>(topology, *store, "poll", poll, nullptr, Plugins{}, clock));
    push.max_blocks = 2;
    push.lease = std::chrono::seconds(30);
    push.retry_initial = std::chrono::milliseconds(1000);
    push.retry_max = std::chrono::milliseconds(8000);
    make_worker();
  }
  void make_worker() {
    worker = std::make_unique<OutboxWorker>(
        topology, *store, [] { return std::unique_ptr<PushSender>(); }, push, OutboxWorker::EventLog{}, nullptr, clock);
  }

  Message call(std::string_view path, Message m) {
    RequestContext ctx;
    ctx.identity = "alice";
    ctx.protocol_binding = kHttp;
    return dispatcher.dispatch(path, m, ctx);
  }
  Message inbox(const std::vector<std::string>& contents) {
    v11::InboxMessage m;
    m.message_id = "7";
    for (const auto& c : contents) m.content_blocks.push_back({kStix, std::nullopt, Mixed::text(c), {}, {}, {}, {}});
    return call("/inbox", m);
  }
  Message poll(bool allow_asynch = false) {
    v11::PollRequest r;
    r.message_id = "8";
    r.collection_name = "feed";
    r.poll_parameters = v11::PollParameters{};
    r.poll_parameters->allow_asynch = allow_asynch;
    return call("/poll", r);
  }
  Message fulfil(const std::string& result_id, uint64_t part) {
    v11::PollFulfillment f;
    f.message_id = "9";
    f.collection_name = "feed";
    f.result_id = result_id;
    f.result_part_number = part;
    return call("/poll", f);
  }
  // Every block of the collection, through Poll_Request and Poll_Fulfillment.
  std::vector<std::string> poll_all() {
    Message m = poll();
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(m), status_of(m));
    std::vector<std::string> out;
    for (uint64_t part = 2;; ++part) {
      const auto& r = std::get<v11::PollResponse>(m);
      for (auto& t : texts(r.content_blocks)) out.push_back(t);
      if (!r.more) break;
      m = fulfil(*r.result_id, part);
      BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(m), status_of(m));
    }
    return out;
  }
  Message manage(v11::SubscriptionAction action, std::optional<std::string> id = std::nullopt) {
    v11::ManageCollectionSubscriptionRequest r;
    r.message_id = "10";
    r.action = action;
    r.collection_name = "feed";
    r.subscription_id = std::move(id);
    if (action == v11::SubscriptionAction::Subscribe)
      r.push_parameters = v11::PushParameters{kHttp, push_address, kXml11};
    return call("/cm", r);
  }
  // The subscriptions STATUS lists: id and status.
  std::vector<std::pair<std::string, v11::SubscriptionStatus>> subscriptions() {
    const Message m = manage(v11::SubscriptionAction::Status);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(m), status_of(m));
    std::vector<std::pair<std::string, v11::SubscriptionStatus>> out;
    for (const auto& s : std::get<v11::ManageCollectionSubscriptionResponse>(m).subscriptions)
      out.emplace_back(s.subscription_id, s.status);
    return out;
  }
  uint64_t stored() { return *real->count({"feed", std::nullopt, std::nullopt, {}, 0}); }
  void add(const std::vector<std::string>& contents) { BOOST_TEST_REQUIRE(status_of(inbox(contents)) == "SUCCESS"); }
  bool round() { return round(sender); }
  bool round(PushSender& via) { return worker->run_once(via, "worker-1"); }
};

}  // namespace taxii::services::testing
