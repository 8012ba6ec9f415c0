// Push delivery on the wire when the sending store fails (issue #21): the sending services run
// in-process over a FailingStore (storage/testing/failing_store.hpp) around the test store
// (SQLite; PostgreSQL as wire_store_failure_test_pg), with a ManualClock; their outbox pushes
// with the real HttpPushSender over 127.0.0.1 to a real taxiid, whose Inbox is polled back.
// A store failure loses nothing: the batch is delivered later, and stored once by the
// subscriber (its duplicate skipping is what makes a re-send harmless).
#define BOOST_TEST_MODULE wire_store_failure
#include <boost/test/unit_test.hpp>

#include "server/push_sender.hpp"
#include "services/service_fixture.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::services::testing;
using StoreCall = taxii::storage::testing::StoreCall;

namespace {

struct WireFixture : ServicesFixture {
  wire::TaxiidProcess subscriber_taxiid;
  server::HttpPushSender http{{}, std::chrono::seconds(10)};

  WireFixture() {
    push_address = "http://127.0.0.1:" + std::to_string(subscriber_taxiid.http_port()) + "/services/inbox";
    const Message m = manage(v11::SubscriptionAction::Subscribe);
    BOOST_TEST_REQUIRE(status_of(m) == "Subscription_Management_Response");
  }
  // What the subscribing taxiid holds in its collection "default", polled over HTTP.
  std::vector<std::string> held() {
    wire::Client c(subscriber_taxiid.http_port());
    wire::Reply r = c.send("/services/poll", wire::poll11("default"));
    BOOST_TEST_REQUIRE(r.message.has_value(), r.body);
    std::vector<std::string> out;
    for (const auto& b : r.as<v11::PollResponse>().content_blocks) out.push_back(b.content.text_value());
    return out;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(push_over_http, WireFixture)

BOOST_AUTO_TEST_CASE(a_delivery_the_store_fails_to_record_is_sent_again_and_stored_once) {
  add({"b1", "b2"});
  add({"b3"});
  store->fail({StoreCall::CompletePush});
  BOOST_TEST_REQUIRE(round(http));
  BOOST_TEST(held() == (std::vector<std::string>{"b1", "b2"}));
  BOOST_TEST(!round(http));  // leased until the lease ends
  clock.advance(push.lease + std::chrono::seconds(1));
  BOOST_TEST(round(http));  // b1 b2 again: SUCCESS, skipped by the subscriber
  BOOST_TEST(round(http));  // b3
  BOOST_TEST(!round(http));
  BOOST_TEST(held() == (std::vector<std::string>{"b1", "b2", "b3"}));
}

BOOST_AUTO_TEST_CASE(a_subscriber_down_and_a_failing_store_delay_delivery_but_lose_nothing) {
  add({"b1"});
  store->fail({StoreCall::ClaimPushWork});
  BOOST_TEST(!round(http));
  BOOST_TEST(subscriber_taxiid.terminate() == 0);
  store->fail({StoreCall::FailPush});  // the refused attempt cannot even be recorded
  BOOST_TEST(round(http));
  subscriber_taxiid.restart();
  BOOST_TEST(!round(http));  // leased
  clock.advance(push.lease + std::chrono::seconds(1));
  BOOST_TEST(round(http));
  BOOST_TEST(held() == (std::vector<std::string>{"b1"}));
  BOOST_TEST(!round(http));
}

BOOST_AUTO_TEST_SUITE_END()
