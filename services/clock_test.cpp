// Time in the services through core/clock.hpp (issue #21), with a ManualClock and no sleeping:
// multi-part and asynchronous results expire after result_ttl (an asynchronous result's record
// a TTL later), the outbox backs off exponentially up to its cap and its leases run out,
// asynchronous builds are given up after async_build_attempts, subscriptions are dated.
// Runs on SQLite and, as clock_test_pg, on PostgreSQL.
#define BOOST_TEST_MODULE clock
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "services/service_fixture.hpp"

using namespace taxii;
using namespace taxii::services::testing;
using taxii::services::PollOptions;
using StoreCall = taxii::storage::testing::StoreCall;

namespace {

constexpr int64_t kTtl = 3600;  // result_ttl_seconds of the fixtures
const std::vector<std::string> kFive{"b1", "b2", "b3", "b4", "b5"};

struct AsyncFixture : ServicesFixture {
  AsyncFixture() : ServicesFixture(PollOptions{2, kTtl, 0}) {}  // every asynchronous poll is PENDING

  // Subscribes to "feed" (pushing to the Subscriber) and returns the id.
  std::string subscribe() {
    const Message m = manage(v11::SubscriptionAction::Subscribe);
    BOOST_TEST_REQUIRE(status_of(m) == "Subscription_Management_Response");
    return std::get<v11::ManageCollectionSubscriptionResponse>(m).subscriptions.at(0).subscription_id;
  }
  storage::Subscription record(const std::string& id) {
    auto s = real->get_subscription(id);
    BOOST_TEST_REQUIRE(s.ok());
    BOOST_TEST_REQUIRE(s->has_value());
    return **s;
  }
};

Timestamp plus(Timestamp t, int64_t micros) { return Timestamp::from_micros(t.micros() + micros); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(manual_clock, AsyncFixture)

BOOST_AUTO_TEST_CASE(asynchronous_results_expire_after_the_ttl_and_their_records_a_ttl_later) {
  add(kFive);
  const std::string id = detail(poll(true), "RESULT_ID");
  BOOST_TEST_REQUIRE(!id.empty());
  BOOST_TEST_REQUIRE(round());  // built
  BOOST_TEST(status_of(fulfil(id, 1)) == "Poll_Response");
  // Expiry runs when results are made (at most once a minute): just inside the TTL, kept.
  clock.advance(std::chrono::seconds(kTtl - 60));
  BOOST_TEST(status_of(poll(true)) == "PENDING");
  BOOST_TEST(status_of(fulfil(id, 2)) == "Poll_Response");
  // Past the TTL: the content is gone, the record says so (Services 1.1 §3.6.2.1).
  clock.advance(std::chrono::seconds(120));
  BOOST_TEST(status_of(poll(true)) == "PENDING");
  BOOST_TEST(status_of(fulfil(id, 1)) == "ASYNCHRONOUS_POLL_ERROR");
  // A TTL later the record is gone too: the id is unknown.
  clock.advance(std::chrono::seconds(kTtl));
  BOOST_TEST(status_of(poll(true)) == "PENDING");
  BOOST_TEST(status_of(fulfil(id, 1)) == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(multi_part_results_expire_after_the_ttl) {
  add(kFive);
  const Message first = poll();
  BOOST_TEST_REQUIRE(status_of(first) == "Poll_Response");
  const std::string id = *std::get<v11::PollResponse>(first).result_id;
  clock.advance(std::chrono::seconds(kTtl - 60));
  BOOST_TEST(status_of(poll()) == "Poll_Response");  // runs the expiry: nothing old enough
  BOOST_TEST(status_of(fulfil(id, 2)) == "Poll_Response");
  clock.advance(std::chrono::seconds(120));
  BOOST_TEST(status_of(poll()) == "Poll_Response");
  BOOST_TEST(status_of(fulfil(id, 3)) == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(outbox_backs_off_exponentially_up_to_the_cap) {
  const std::string id = subscribe();
  add({"b1"});
  sender.refuse = 5;
  for (int k = 1; k <= 5; ++k) {
    const int64_t cap_ms = std::min<int64_t>(int64_t{1000} << (k - 1), 8000);  // retry_initial 1 s, retry_max 8 s
    const Timestamp failed_at = clock.now();
    BOOST_TEST_REQUIRE(round());
    BOOST_TEST_REQUIRE(sender.posts == k);
    const storage::Subscription s = record(id);
    BOOST_TEST(s.attempts == static_cast<uint32_t>(k));
    BOOST_TEST(s.last_error.value_or("").find("connection refused") != std::string::npos);
    // Jitter: somewhere in [half, all] of the delay.
    const int64_t wait = s.next_attempt.micros() - failed_at.micros();
    BOOST_TEST(wait >= cap_ms * 500);
    BOOST_TEST(wait <= cap_ms * 1000);
    clock.set(plus(s.next_attempt, -1));
    BOOST_TEST(!round());  // not due a microsecond before
    clock.set(s.next_attempt);
  }
  BOOST_TEST(round());  // the sixth attempt is answered
  BOOST_TEST(subscriber.held() == (std::vector<std::string>{"b1"}));
  BOOST_TEST(record(id).attempts == 0u);
  BOOST_TEST(!record(id).last_error.has_value());
}

BOOST_AUTO_TEST_CASE(a_lease_holds_until_its_end) {
  const std::string id = subscribe();
  add({"b1"});
  store->fail({StoreCall::CompletePush});  // the worker delivers and cannot record it
  const Timestamp claimed_at = clock.now();
  BOOST_TEST_REQUIRE(round());
  clock.set(plus(claimed_at, std::chrono::microseconds(push.lease).count() - 1));
  BOOST_TEST(!round());
  clock.set(plus(claimed_at, std::chrono::microseconds(push.lease).count()));
  BOOST_TEST(round());
  BOOST_TEST(sender.posts == 2);
  BOOST_TEST(record(id).push_cursor.has_value());
}

BOOST_AUTO_TEST_CASE(asynchronous_builds_back_off_then_are_given_up) {
  add(kFive);
  const std::string id = detail(poll(true), "RESULT_ID");
  BOOST_TEST_REQUIRE(!id.empty());
  storage::testing::Fault broken{StoreCall::PutResultSet};
  broken.times = 0;  // every build fails
  store->fail(broken);
  for (int attempt = 1; attempt < push.async_build_attempts; ++attempt) {
    BOOST_TEST_REQUIRE(round());
    BOOST_TEST(!round());  // backing off
    BOOST_TEST(status_of(fulfil(id, 1)) == "PENDING");
    clock.advance(std::chrono::seconds(10));  // beyond retry_max
  }
  BOOST_TEST_REQUIRE(round());  // the last attempt: Failed
  const Message m = fulfil(id, 1);
  BOOST_TEST(status_of(m) == "ASYNCHRONOUS_POLL_ERROR");
  clock.advance(std::chrono::seconds(10));
  BOOST_TEST(!round());  // never tried again
}

BOOST_AUTO_TEST_CASE(subscriptions_are_dated_by_the_clock) {
  clock.set(Timestamp::from_micros(1'700'000'000'123'456));
  const std::string id = subscribe();
  BOOST_TEST(record(id).created.micros() == 1'700'000'000'123'456);
}

BOOST_AUTO_TEST_SUITE_END()
