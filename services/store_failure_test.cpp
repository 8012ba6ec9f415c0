// What the services do when the store fails mid-way (issue #21): the services run over a
// FailingStore around the real test store (SQLite; PostgreSQL as store_failure_test_pg), and
// for each failure the client gets a FAILURE Status_Message, nothing is half-written, and the
// next request works. Push: an outbox whose store fails loses nothing and delivers later,
// exactly once at the subscriber.
#define BOOST_TEST_MODULE store_failure
#include <boost/test/unit_test.hpp>

#include "services/service_fixture.hpp"

using namespace taxii;
using namespace taxii::services;
using namespace taxii::services::testing;
using storage::testing::Fault;
using storage::testing::StoreCall;

namespace {

const std::vector<std::string> kFive{"b1", "b2", "b3", "b4", "b5"};

// The client's answer to a request the store failed: a FAILURE Status_Message in response to it.
void require_failure(const Message& m, const std::string& in_response_to) {
  BOOST_TEST_REQUIRE(status_of(m) == "FAILURE");
  BOOST_TEST(std::get<v11::StatusMessage>(m).in_response_to == in_response_to);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(inbox, ServicesFixture)

BOOST_AUTO_TEST_CASE(append_failure_is_failure_with_nothing_stored_and_the_next_message_works) {
  store->fail({StoreCall::Append});
  require_failure(inbox({"a", "b", "c"}), "7");
  BOOST_TEST(stored() == 0u);  // the message is one transaction: none of its blocks
  BOOST_TEST(status_of(inbox({"d", "e"})) == "SUCCESS");
  BOOST_TEST(poll_all() == (std::vector<std::string>{"d", "e"}));
}

BOOST_AUTO_TEST_CASE(pushed_content_failure_leaves_the_source_mark_so_the_resend_is_stored) {
  v11::InboxMessage m;
  m.message_id = "11";
  m.source_subscription = v11::SourceSubscription{"feed", "urn:uuid:s1", std::nullopt, std::nullopt};
  for (int i = 1; i <= 3; ++i)
    m.content_blocks.push_back(
        {kStix, std::nullopt, Mixed::text("p" + std::to_string(i)), Timestamp::from_micros(i), {}, {}, {}});
  store->fail({StoreCall::AppendFromSource});
  require_failure(call("/inbox", m), "11");
  BOOST_TEST(stored() == 0u);
  // The re-send after the failure is stored (the mark did not move); a third copy is skipped.
  const Message again = call("/inbox", m);
  BOOST_TEST(status_of(again) == "SUCCESS");
  BOOST_TEST(!std::get<v11::StatusMessage>(again).message.has_value());
  const Message third = call("/inbox", m);
  BOOST_TEST(status_of(third) == "SUCCESS");
  BOOST_TEST(std::get<v11::StatusMessage>(third).message.value_or("").find("3 content block") == 0u);
  BOOST_TEST(poll_all() == (std::vector<std::string>{"p1", "p2", "p3"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(poll, ServicesFixture)

BOOST_AUTO_TEST_CASE(scan_breaking_mid_way_is_failure_and_the_next_poll_works) {
  add({"b1"});
  Fault broken{StoreCall::Scan};
  broken.after_blocks = 1;  // part 1 holds 2 blocks: the scan breaks after the first
  store->fail(broken);
  add({"b2", "b3"});
  require_failure(poll(), "8");
  store->fail({StoreCall::Count});
  require_failure(poll(), "8");
  store->fail({StoreCall::LatestLabel});
  require_failure(poll(), "8");
  BOOST_TEST(poll_all() == (std::vector<std::string>{"b1", "b2", "b3"}));
}

BOOST_AUTO_TEST_CASE(multi_part_first_part_failures_are_failure_and_the_next_poll_works) {
  add(kFive);
  store->fail({StoreCall::PutResultSet});
  require_failure(poll(), "8");
  store->fail({StoreCall::PutResultPart});
  require_failure(poll(), "8");
  BOOST_TEST(poll_all() == kFive);
}

BOOST_AUTO_TEST_CASE(multi_part_fulfilment_failures_then_every_part_once) {
  add(kFive);
  const Message first = poll();
  BOOST_TEST_REQUIRE(status_of(first) == "Poll_Response");
  const auto& r1 = std::get<v11::PollResponse>(first);
  BOOST_TEST_REQUIRE(r1.more);
  const std::string id = *r1.result_id;
  std::vector<std::string> got = texts(r1.content_blocks);
  // Part 3 first: its boundary is found by walking part 2, which the store fails to record
  // (after writing it), then to read; then the part's own scan breaks.
  Fault recorded{StoreCall::PutResultPart};
  recorded.after_call = true;
  store->fail(recorded);
  require_failure(fulfil(id, 3), "9");
  store->fail({StoreCall::GetResultPart});
  require_failure(fulfil(id, 3), "9");
  store->fail({StoreCall::Scan});
  require_failure(fulfil(id, 3), "9");
  store->fail({StoreCall::GetResultSet});
  require_failure(fulfil(id, 2), "9");
  for (uint64_t part : {2, 3}) {
    const Message m = fulfil(id, part);
    BOOST_TEST_REQUIRE(status_of(m) == "Poll_Response");
    BOOST_TEST(std::get<v11::PollResponse>(m).result_part_number == part);
    for (auto& t : texts(std::get<v11::PollResponse>(m).content_blocks)) got.push_back(t);
  }
  BOOST_TEST(got == kFive);  // every block once, in label order, whatever failed before
  BOOST_TEST(store->failures() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

struct AsyncFixture : ServicesFixture {
  AsyncFixture() : ServicesFixture(PollOptions{2, 3600, 0}) {}  // every asynchronous poll is PENDING
};

BOOST_FIXTURE_TEST_SUITE(async_poll, AsyncFixture)

BOOST_AUTO_TEST_CASE(accepting_fails_then_claiming_and_building_fail_and_the_result_comes) {
  add(kFive);
  store->fail({StoreCall::PutAsyncResult});
  require_failure(poll(true), "8");  // not PENDING: nothing was accepted
  BOOST_TEST(!round());              // and there is nothing to build
  const Message pending = poll(true);
  BOOST_TEST_REQUIRE(status_of(pending) == "PENDING");
  const std::string id = detail(pending, "RESULT_ID");
  BOOST_TEST_REQUIRE(!id.empty());
  store->fail({StoreCall::ClaimAsyncWork});
  BOOST_TEST(!round());  // the claim failed: nothing done, nothing lost
  BOOST_TEST(status_of(fulfil(id, 1)) == "PENDING");
  store->fail({StoreCall::GetAsyncResult});
  require_failure(fulfil(id, 1), "9");
  // Building fails half-way (the second part's boundary is not recorded): retried later.
  store->fail({StoreCall::PutResultPart, 2});
  BOOST_TEST(round());
  BOOST_TEST(status_of(fulfil(id, 1)) == "PENDING");
  BOOST_TEST(!round());  // backing off
  clock.advance(std::chrono::seconds(2));
  BOOST_TEST(round());
  std::vector<std::string> got;
  for (uint64_t part = 1; part <= 3; ++part) {
    const Message m = fulfil(id, part);
    BOOST_TEST_REQUIRE(status_of(m) == "Poll_Response");
    for (auto& t : texts(std::get<v11::PollResponse>(m).content_blocks)) got.push_back(t);
  }
  BOOST_TEST(got == kFive);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(subscriptions, ServicesFixture)

BOOST_AUTO_TEST_CASE(create_and_state_changes_that_fail_change_nothing) {
  store->fail({StoreCall::CreateSubscription});
  require_failure(manage(v11::SubscriptionAction::Subscribe), "10");
  store->fail({StoreCall::LatestLabel});
  require_failure(manage(v11::SubscriptionAction::Subscribe), "10");
  BOOST_TEST(subscriptions().empty());
  const Message made = manage(v11::SubscriptionAction::Subscribe);
  BOOST_TEST_REQUIRE(status_of(made) == "Subscription_Management_Response");
  const std::string id = std::get<v11::ManageCollectionSubscriptionResponse>(made).subscriptions.at(0).subscription_id;

  store->fail({StoreCall::SetSubscriptionState});
  require_failure(manage(v11::SubscriptionAction::Pause, id), "10");
  BOOST_TEST_REQUIRE(subscriptions().size() == 1u);
  BOOST_TEST((subscriptions()[0].second == v11::SubscriptionStatus::Active));
  store->fail({StoreCall::DeleteSubscription});
  require_failure(manage(v11::SubscriptionAction::Unsubscribe, id), "10");
  store->fail({StoreCall::ListSubscriptions});
  require_failure(manage(v11::SubscriptionAction::Status), "10");
  BOOST_TEST(subscriptions().size() == 1u);

  BOOST_TEST(status_of(manage(v11::SubscriptionAction::Pause, id)) == "Subscription_Management_Response");
  BOOST_TEST((subscriptions()[0].second == v11::SubscriptionStatus::Paused));
  BOOST_TEST(status_of(manage(v11::SubscriptionAction::Unsubscribe, id)) == "Subscription_Management_Response");
  BOOST_TEST(subscriptions().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(push, ServicesFixture)

BOOST_AUTO_TEST_CASE(a_failed_claim_loses_nothing) {
  BOOST_TEST_REQUIRE(status_of(manage(v11::SubscriptionAction::Subscribe)) == "Subscription_Management_Response");
  add({"b1", "b2"});
  store->fail({StoreCall::ClaimPushWork});
  BOOST_TEST(!round());
  BOOST_TEST(sender.posts == 0);
  BOOST_TEST(round());
  BOOST_TEST(subscriber.held() == (std::vector<std::string>{"b1", "b2"}));
}

BOOST_AUTO_TEST_CASE(a_failed_completion_is_delivered_again_and_stored_once) {
  BOOST_TEST_REQUIRE(status_of(manage(v11::SubscriptionAction::Subscribe)) == "Subscription_Management_Response");
  add({"b1", "b2"});
  add({"b3"});
  store->fail({StoreCall::CompletePush});  // delivered, but the cursor does not move
  BOOST_TEST(round());
  BOOST_TEST(sender.posts == 1);
  BOOST_TEST(subscriber.held() == (std::vector<std::string>{"b1", "b2"}));
  BOOST_TEST(!round());  // still leased by the worker that failed to complete
  clock.advance(push.lease + std::chrono::seconds(1));
  while (round()) {
  }
  BOOST_TEST(sender.posts == 3);                                                  // b1 b2 again, then b3
  BOOST_TEST(subscriber.held() == (std::vector<std::string>{"b1", "b2", "b3"}));  // the re-send was skipped
}

BOOST_AUTO_TEST_CASE(failed_batches_and_failed_failure_records_are_retried) {
  BOOST_TEST_REQUIRE(status_of(manage(v11::SubscriptionAction::Subscribe)) == "Subscription_Management_Response");
  add({"b1"});
  // The batch cannot be read: a failed attempt, retried after the back-off.
  store->fail({StoreCall::Scan});
  BOOST_TEST(round());
  BOOST_TEST(sender.posts == 0);
  clock.advance(std::chrono::seconds(2));
  // The subscriber refuses, and recording that fails too: the lease runs out, then retried.
  sender.refuse = 1;
  store->fail({StoreCall::FailPush});
  BOOST_TEST(round());
  BOOST_TEST(sender.posts == 1);
  BOOST_TEST(!round());
  clock.advance(push.lease + std::chrono::seconds(1));
  BOOST_TEST(round());
  BOOST_TEST(sender.posts == 2);
  BOOST_TEST(subscriber.held() == (std::vector<std::string>{"b1"}));
  BOOST_TEST(!round());
}

BOOST_AUTO_TEST_SUITE_END()
