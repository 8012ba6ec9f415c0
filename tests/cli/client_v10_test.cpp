// client::Session speaking TAXII 1.0 to an in-process fake Transport (the bridge, bindings/xml/bridge.hpp):
// Feed_Information as collections, the 1.0 poll window, what 1.0 cannot say failing locally,
// 1.0 status details as 1.1 details, and feed subscriptions (bindings in Push_Parameters, the
// status a 1.0 answer implies).
#define BOOST_TEST_MODULE client_v10
#include <boost/test/unit_test.hpp>

#include "client/session.hpp"
#include "core/urn.hpp"
#include "tests/cli/fake_transport.hpp"

using namespace taxii;
using namespace taxii::test;
using client::ErrorOrigin;

BOOST_AUTO_TEST_SUITE(taxii_10)

BOOST_AUTO_TEST_CASE(feed_information_is_asked_and_read_as_collections) {
  Harness h(
      [](const SeenRequest& r) {
        BOOST_TEST(std::holds_alternative<v10::FeedInformationRequest>(r.message));
        v10::FeedInformationResponse f;
        v10::FeedInformation fi;
        fi.feed_name = "feed-a";
        fi.description = "A";
        fi.content_bindings = {std::string(urn::kStix101)};
        fi.polling_services.push_back({std::string(urn::kProtocolHttp), "http://taxii.test/poll", {std::string(urn::kMessageXml10)}});
        f.feeds.push_back(fi);
        return taxii_answer(r, Message{f});
      },
      Version::V10);
  auto r = h.session->collection_information();
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST_REQUIRE(r->collections.size() == 1u);
  BOOST_TEST(r->collections[0].collection_name == "feed-a");
  BOOST_TEST(r->collections[0].content_bindings[0].binding_id == std::string(urn::kStix101));
  const auto& hd = h.seen.at(0).http.headers;
  BOOST_TEST(*hd.find("X-TAXII-Content-Type") == std::string(urn::kMessageXml10));
  BOOST_TEST(*hd.find("X-TAXII-Services") == std::string(urn::kServices10));
  // Every header taxiid requires of a request (HTTP 1.0 §2), in the 1.0 flavour too.
  BOOST_TEST_REQUIRE(hd.find("Content-Type") != nullptr);
  BOOST_TEST(*hd.find("Content-Type") == "application/xml");
  BOOST_TEST_REQUIRE(hd.find("X-TAXII-Protocol") != nullptr);
  BOOST_TEST(*hd.find("X-TAXII-Protocol") == std::string(urn::kProtocolHttp));
}

BOOST_AUTO_TEST_CASE(poll_uses_the_10_messages_and_converts_the_window) {
  Harness h(
      [](const SeenRequest& r) {
        const auto& p = std::get<v10::PollRequest>(r.message);
        BOOST_TEST(p.feed_name == "feed-a");
        BOOST_TEST(p.content_bindings == std::vector<std::string>{std::string(urn::kStix111)});
        v10::PollResponse pr;
        pr.feed_name = "feed-a";
        pr.inclusive_begin = Timestamp::from_micros(1000);
        pr.inclusive_end = Timestamp::from_micros(5000);
        v10::ContentBlock b;
        b.binding = std::string(urn::kStix111);
        b.content = Mixed::text("hello");
        pr.content_blocks.push_back(b);
        return taxii_answer(r, Message{pr});
      },
      Version::V10);
  client::PollSpec spec;
  spec.collection = "feed-a";
  spec.content_bindings = {{std::string(urn::kStix111), {}}};
  std::string got;
  auto r = h.session->poll(spec, [&got](const v11::ContentBlock& b, uint64_t) {
    got = b.content.text_value();
    return ok_status();
  });
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(got == "hello");
  BOOST_TEST(r->exclusive_begin->micros() == 999);  // 1.0 inclusive begin B = 1.1 exclusive B - 1 µs
  BOOST_TEST(r->inclusive_end->micros() == 5000);
}

BOOST_AUTO_TEST_CASE(capped_10_answers_are_continued_from_their_end) {
  // A 1.0 server answering at most two blocks, its end narrowed to the last one (taxiid's way).
  const std::vector<int64_t> labels = {10, 20, 30, 40, 50};
  Harness h(
      [&labels](const SeenRequest& r) {
        const auto& p = std::get<v10::PollRequest>(r.message);
        v10::PollResponse pr;
        pr.feed_name = p.feed_name;
        pr.inclusive_end = Timestamp::from_micros(1000);  // "now"
        for (int64_t l : labels) {
          if (p.exclusive_begin && l <= p.exclusive_begin->micros()) continue;
          if (pr.content_blocks.size() == 2) break;
          v10::ContentBlock b;
          b.binding = std::string(urn::kStix111);
          b.content = Mixed::text("b" + std::to_string(l));
          b.timestamp_label = Timestamp::from_micros(l);
          pr.content_blocks.push_back(b);
          pr.inclusive_end = Timestamp::from_micros(l);
        }
        if (pr.content_blocks.size() < 2) pr.inclusive_end = Timestamp::from_micros(1000);
        return taxii_answer(r, Message{pr});
      },
      Version::V10);
  client::PollSpec spec;
  spec.collection = "feed-a";
  std::vector<std::string> got;
  std::vector<uint64_t> indexes;
  auto r = h.session->poll(spec, [&](const v11::ContentBlock& b, uint64_t i) {
    got.push_back(b.content.text_value());
    indexes.push_back(i);
    return ok_status();
  });
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(got == (std::vector<std::string>{"b10", "b20", "b30", "b40", "b50"}), boost::test_tools::per_element());
  BOOST_TEST(indexes == (std::vector<uint64_t>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
  BOOST_TEST(r->blocks == 5u);
  BOOST_TEST(r->parts == 3u);  // 2 + 2 + 1 blocks; the last answer is short and states "now"
  BOOST_TEST(r->inclusive_end->micros() == 1000);
  BOOST_TEST_REQUIRE(h.seen.size() == 3u);
  BOOST_TEST(!std::get<v10::PollRequest>(h.seen[0].message).exclusive_begin.has_value());
  BOOST_TEST(std::get<v10::PollRequest>(h.seen[1].message).exclusive_begin->micros() == 20);
  BOOST_TEST(std::get<v10::PollRequest>(h.seen[2].message).exclusive_begin->micros() == 40);
  // --no-follow: the first answer only.
  spec.follow_parts = false;
  auto one = h.session->poll(spec, [](const v11::ContentBlock&, uint64_t) { return ok_status(); });
  BOOST_TEST(one->blocks == 2u);
}

BOOST_AUTO_TEST_CASE(what_10_cannot_say_fails_locally) {
  Harness h([](const SeenRequest& r) { return taxii_answer(r, Message{v10::StatusMessage{}}); }, Version::V10);
  client::PollSpec spec;
  spec.collection = "feed-a";
  spec.count_only = true;
  auto r = h.session->poll(spec, [](const v11::ContentBlock&, uint64_t) { return ok_status(); });
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(client::origin_of(r.error()) == ErrorOrigin::Local);
  BOOST_TEST(!h.session->push({block11("x")}, {"named"}).ok());
  BOOST_TEST(h.seen.empty());
}

BOOST_AUTO_TEST_CASE(status_details_of_10_are_read_as_11_details) {
  Harness h(
      [](const SeenRequest& r) {
        v10::StatusMessage s;
        s.status_type = "UNSUPPORTED_CONTENT";
        s.status_detail = "urn:stix.mitre.org:xml:1.0 urn:stix.mitre.org:xml:1.0.1";
        return taxii_answer(r, Message{s});
      },
      Version::V10);
  auto r = h.session->push({block11("x")}, {});
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::UnsupportedContent);
  const auto details = client::visible_details(r.error());
  BOOST_TEST_REQUIRE(details.size() == 2u);
  BOOST_TEST(details[1].name == "SUPPORTED_CONTENT");
  BOOST_TEST(details[1].value == "urn:stix.mitre.org:xml:1.0.1");
}

// A 1.0 RETRY names the time to retry at (Services 1.0 §3.4.1); the wait is that time minus
// the Session clock's now, slept on that clock (a ManualClock here: nothing really sleeps).
BOOST_AUTO_TEST_CASE(a_10_retry_time_is_waited_out_on_the_session_clock) {
  int calls = 0;
  Harness* hp = nullptr;
  Harness h(
      [&calls, &hp](const SeenRequest& r) {
        if (++calls == 1) {
          v10::StatusMessage s;
          s.status_type = "RETRY";
          s.status_detail = Timestamp::from_micros(hp->clock.now().micros() + 90'000'000).to_string();
          return taxii_answer(r, Message{s});
        }
        return taxii_answer(r, Message{v10::FeedInformationResponse{}});
      },
      Version::V10);
  hp = &h;
  const Timestamp start = h.clock.now();
  auto r = h.session->collection_information();
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(calls == 2);
  BOOST_TEST_REQUIRE(h.sleeps.size() == 1u);
  BOOST_TEST(h.sleeps[0].count() == 90'000);  // the RETRY time, not the 500 ms backoff
  BOOST_TEST(h.clock.now().micros() - start.micros() == 90'000'000);
}

BOOST_AUTO_TEST_CASE(a_10_retry_time_already_past_is_no_wait) {
  int calls = 0;
  Harness h(
      [&calls](const SeenRequest& r) {
        if (++calls == 1) {
          v10::StatusMessage s;
          s.status_type = "RETRY";
          s.status_detail = "2001-01-01T00:00:00Z";  // long before the ManualClock's start
          return taxii_answer(r, Message{s});
        }
        return taxii_answer(r, Message{v10::FeedInformationResponse{}});
      },
      Version::V10);
  BOOST_TEST_REQUIRE(h.session->collection_information().ok());
  BOOST_TEST_REQUIRE(h.sleeps.size() == 1u);
  BOOST_TEST(h.sleeps[0].count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(taxii_10_subscriptions)

BOOST_AUTO_TEST_CASE(taxii_10_subscriptions_carry_bindings_in_push_parameters) {
  Harness h(
      [](const SeenRequest& r) {
        const auto& q = std::get<v10::ManageFeedSubscriptionRequest>(r.message);
        BOOST_TEST(q.feed_name == "feed");
        BOOST_TEST(q.push_parameters->content_bindings == std::vector<std::string>{std::string(urn::kStix101)});
        v10::ManageFeedSubscriptionResponse resp;
        resp.feed_name = "feed";
        v10::SubscriptionInstance si;
        si.subscription_id = "s10";
        si.push_parameters = q.push_parameters;
        resp.subscriptions.push_back(si);
        return taxii_answer(r, Message{resp});
      },
      Version::V10);
  client::SubscriptionSpec spec;
  spec.action = v11::SubscriptionAction::Subscribe;
  spec.collection = "feed";
  spec.content_bindings = {{std::string(urn::kStix101), {}}};
  spec.push = v11::PushParameters{std::string(urn::kProtocolHttp), "http://me.test/in", std::string(urn::kMessageXml10)};
  auto r = h.session->manage_subscription(spec);
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(r->collection_name == "feed");
  BOOST_TEST(r->subscriptions.at(0).subscription_parameters->content_bindings.at(0).binding_id == std::string(urn::kStix101));
  spec.action = v11::SubscriptionAction::Pause;
  spec.subscription_id = "s10";
  BOOST_TEST(client::origin_of(h.session->manage_subscription(spec).error()) == ErrorOrigin::Local);
}

BOOST_AUTO_TEST_CASE(taxii_10_subscription_status_follows_the_action) {
  // A 1.0 Subscription_Management_Response has no status (XML 1.0 §3.7); the server lists
  // two subscriptions whatever was asked.
  Harness h(
      [](const SeenRequest& r) {
        const auto& q = std::get<v10::ManageFeedSubscriptionRequest>(r.message);
        BOOST_TEST(!q.subscription_id.has_value() == (q.action == v10::SubscriptionAction::Status));
        v10::ManageFeedSubscriptionResponse resp;
        resp.feed_name = "feed";
        for (const char* id : {"s1", "s2"}) {
          v10::SubscriptionInstance si;
          si.subscription_id = id;
          resp.subscriptions.push_back(si);
        }
        return taxii_answer(r, Message{resp});
      },
      Version::V10);
  client::SubscriptionSpec spec;
  spec.collection = "feed";
  spec.action = v11::SubscriptionAction::Unsubscribe;
  spec.subscription_id = "s1";
  auto un = h.session->manage_subscription(spec);
  BOOST_TEST_REQUIRE(un.ok(), why(un));
  for (const auto& s : un->subscriptions) BOOST_TEST((s.status == v11::SubscriptionStatus::Unsubscribed));
  spec.action = v11::SubscriptionAction::Status;  // with an ID: narrowed to it
  auto st = h.session->manage_subscription(spec);
  BOOST_TEST_REQUIRE(st.ok(), why(st));
  BOOST_TEST_REQUIRE(st->subscriptions.size() == 1u);
  BOOST_TEST(st->subscriptions[0].subscription_id == "s1");
  BOOST_TEST((st->subscriptions[0].status == v11::SubscriptionStatus::Active));
  spec.subscription_id.reset();  // without: all of them
  BOOST_TEST(h.session->manage_subscription(spec)->subscriptions.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
