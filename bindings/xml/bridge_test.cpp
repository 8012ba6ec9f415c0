// The TAXII 1.0 <-> 1.1 bridge in its client-side directions (1.1 requests -> 1.0, 1.0
// responses -> 1.1), round trips through both halves, and RETRY times read from the Clock
// passed in. The server-side directions are covered by binding_v10_test.cpp.
#define BOOST_TEST_MODULE bridge
#include <boost/test/unit_test.hpp>

#include "bindings/xml/bridge.hpp"
#include "core/clock.hpp"
#include "core/status.hpp"
#include "core/urn.hpp"

using namespace taxii;

namespace {

template <class T>
T as(const Result<Message>& r) {
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().message()));
  return std::get<T>(*r);
}

const Timestamp kNow = Timestamp::from_micros(1'700'000'000'000'000);

}  // namespace

BOOST_AUTO_TEST_SUITE(bridge)

BOOST_AUTO_TEST_CASE(retry_times_come_from_the_clock_both_ways) {
  const ManualClock clock(kNow);
  // 1.1 -> 1.0 (server answering a 1.0 client): ESTIMATED_WAIT 30 -> now + 30 s.
  v11::StatusMessage s11;
  s11.message_id = "1";
  s11.in_response_to = "2";
  s11.status_type = "RETRY";
  s11.details.push_back({std::string(detail_name::kEstimatedWait), Mixed::text("30")});
  const auto& s10 = as<v10::StatusMessage>(xml::bridge_response_to_v10(Message{s11}, clock));
  BOOST_TEST_REQUIRE(s10.status_detail.has_value());
  BOOST_TEST(Timestamp::parse_lenient(*s10.status_detail)->micros() == kNow.micros() + 30'000'000);
  // 1.0 -> 1.1 (client reading a 1.0 server): the same time, read a minute later, is past: 0;
  // read at `now`, it is 30 s away.
  const auto back = xml::bridge_response_to_v11(Message{s10}, clock);
  const auto& d = as<v11::StatusMessage>(back).details;
  BOOST_TEST_REQUIRE(d.size() == 1u);
  BOOST_TEST(d[0].name == std::string(detail_name::kEstimatedWait));
  BOOST_TEST(d[0].value.text_value() == "30");
  clock.advance(std::chrono::seconds(60));
  const auto later = xml::bridge_response_to_v11(Message{s10}, clock);
  BOOST_TEST(as<v11::StatusMessage>(later).details.at(0).value.text_value() == "0");
}

BOOST_AUTO_TEST_CASE(unsupported_lists_become_one_detail_per_id) {
  v10::StatusMessage s;
  s.status_type = "UNSUPPORTED_PROTOCOL";
  s.status_detail = " urn:a  urn:b\n";
  const auto& m = as<v11::StatusMessage>(xml::bridge_response_to_v11(Message{s}));
  BOOST_TEST_REQUIRE(m.details.size() == 2u);
  BOOST_TEST(m.details[0].name == std::string(detail_name::kSupportedProtocol));
  BOOST_TEST(m.details[1].value.text_value() == "urn:b");
  s.status_type = "FAILURE";
  BOOST_TEST(as<v11::StatusMessage>(xml::bridge_response_to_v11(Message{s})).details.at(0).name == "STATUS_DETAIL");
}

BOOST_AUTO_TEST_CASE(a_poll_request_goes_out_as_10_and_comes_back_alike) {
  v11::PollRequest p;
  p.message_id = "7";
  p.collection_name = "feed";
  p.exclusive_begin = kNow;
  p.poll_parameters = v11::PollParameters{};
  p.poll_parameters->content_bindings = {{std::string(urn::kStix12), {}}, {std::string(urn::kStix12), {}}};
  const auto out = xml::bridge_request_to_v10(Message{p});
  const auto& p10 = as<v10::PollRequest>(out);
  BOOST_TEST(p10.feed_name == "feed");
  BOOST_TEST(p10.content_bindings.size() == 1u);  // duplicates go
  const auto& again = as<v11::PollRequest>(xml::bridge_request_to_v11(*out));
  BOOST_TEST(again.collection_name == "feed");
  BOOST_TEST(again.exclusive_begin->micros() == kNow.micros());
  BOOST_TEST(again.message_id == "7");
}

BOOST_AUTO_TEST_CASE(what_10_cannot_say_is_bad_message) {
  v11::PollRequest count;
  count.collection_name = "feed";
  count.poll_parameters = v11::PollParameters{};
  count.poll_parameters->response_type = v11::ResponseType::CountOnly;
  v11::InboxMessage named;
  named.destination_collection_names = {"x"};
  v11::ManageCollectionSubscriptionRequest pause;
  pause.action = v11::SubscriptionAction::Pause;
  v11::ManageCollectionSubscriptionRequest bindings_without_push;
  bindings_without_push.action = v11::SubscriptionAction::Subscribe;
  bindings_without_push.subscription_parameters = v11::SubscriptionParameters{};
  bindings_without_push.subscription_parameters->content_bindings = {{std::string(urn::kStix12), {}}};
  for (const Message& m : {Message{count}, Message{named}, Message{pause}, Message{v11::PollFulfillment{}},
                           Message{bindings_without_push}}) {
    const auto r = xml::bridge_request_to_v10(m);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().type() == StatusType::BadMessage);
  }
}

BOOST_AUTO_TEST_CASE(a_10_poll_response_reads_as_11_with_the_begin_made_exclusive) {
  v10::PollResponse r;
  r.message_id = "9";
  r.in_response_to = "7";
  r.feed_name = "feed";
  r.inclusive_begin = kNow;
  r.inclusive_end = Timestamp::from_micros(kNow.micros() + 5);
  v10::ContentBlock b;
  b.binding = std::string(urn::kStix12);
  b.content = Mixed::text("hello");
  b.timestamp_label = r.inclusive_end;
  r.content_blocks.push_back(b);
  const auto& m = as<v11::PollResponse>(xml::bridge_response_to_v11(Message{r}));
  BOOST_TEST(m.in_response_to == "7");
  BOOST_TEST(m.collection_name == "feed");
  BOOST_TEST(m.exclusive_begin->micros() == kNow.micros() - 1);
  BOOST_TEST_REQUIRE(m.content_blocks.size() == 1u);
  BOOST_TEST(m.content_blocks[0].binding_id == std::string(urn::kStix12));
  BOOST_TEST(m.content_blocks[0].content.text_value() == "hello");
  // And back (the server's direction): the same 1.0 message.
  const auto& again = as<v10::PollResponse>(xml::bridge_response_to_v10(Message{m}));
  BOOST_TEST((again.tie() == r.tie()));
}

BOOST_AUTO_TEST_CASE(feeds_and_subscriptions_read_as_11) {
  v10::FeedInformationResponse f;
  f.feeds.push_back({"feed", true, "a feed", {std::string(urn::kStix101)}, {}, {}, {}});
  const auto& c = as<v11::CollectionInformationResponse>(xml::bridge_response_to_v11(Message{f}));
  BOOST_TEST_REQUIRE(c.collections.size() == 1u);
  BOOST_TEST((c.collections[0].collection_type == v11::CollectionType::DataFeed));
  BOOST_TEST(c.collections[0].content_bindings.at(0).binding_id == std::string(urn::kStix101));

  v10::ManageFeedSubscriptionResponse s;
  s.feed_name = "feed";
  s.subscriptions.push_back({"s1", v10::PushParameters{"p", "a", "m", {std::string(urn::kStix101)}}, {}});
  auto sub = as<v11::ManageCollectionSubscriptionResponse>(xml::bridge_response_to_v11(Message{s}));
  BOOST_TEST(sub.subscriptions.at(0).push_parameters->address == "a");
  BOOST_TEST(sub.subscriptions.at(0).subscription_parameters->content_bindings.size() == 1u);
  xml::complete_v10_subscription_response(v11::SubscriptionAction::Unsubscribe, std::nullopt, sub);
  BOOST_TEST((sub.subscriptions.at(0).status == v11::SubscriptionStatus::Unsubscribed));
}

BOOST_AUTO_TEST_CASE(messages_in_11_pass_through_and_10_requests_are_refused) {
  v11::DiscoveryResponse d;
  d.message_id = "3";
  const auto same = xml::bridge_response_to_v11(Message{d});
  BOOST_TEST(as<v11::DiscoveryResponse>(same).message_id == "3");
  const auto refused = xml::bridge_response_to_v11(Message{v10::PollRequest{}});
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().type() == StatusType::Failure);
}

BOOST_AUTO_TEST_SUITE_END()
