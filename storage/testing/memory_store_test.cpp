// The Store contract (storage/store.hpp) on the in-memory store of storage/testing/: the rules
// the SQL backends' store_contract_test checks, case for case where they apply to a store
// that is not durable (labels, atomicity, scans, result sets, subscriptions and leases,
// asynchronous results, source marks, accounts).
#define BOOST_TEST_MODULE memory_store
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "storage/testing/memory_store.hpp"

using namespace taxii;
using namespace taxii::storage;
using taxii::storage::testing::MemoryStore;

namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = 1700000000 * kSecond;

NewBlock block(std::string content, std::string binding = "urn:stix", std::optional<std::string> subtype = {}) {
  return NewBlock{std::move(binding), std::move(subtype), std::move(content), std::nullopt};
}

// n blocks "<prefix>0" ... "<prefix>n-1".
std::vector<NewBlock> blocks(std::size_t n, const std::string& prefix = "b") {
  std::vector<NewBlock> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = block(prefix + std::to_string(i));
  return out;
}

ScanQuery query(std::string c) { return ScanQuery{std::move(c), std::nullopt, std::nullopt, {}, 0}; }

std::vector<StoredBlock> scan_all(Store& s, const ScanQuery& q) {
  std::vector<StoredBlock> out;
  BOOST_TEST_REQUIRE(s.scan(q, [&](StoredBlock& b) {
                        out.push_back(b);
                        return true;
                      }).ok());
  return out;
}

std::vector<std::string> contents(const std::vector<StoredBlock>& bs) {
  std::vector<std::string> out;
  for (const auto& b : bs) out.push_back(b.content);
  return out;
}

Timestamp at(int64_t micros) { return Timestamp::from_micros(micros); }

struct Fixture {
  ManualClock clock{at(kT0)};
  MemoryStore store{clock};
  Fixture() {
    BOOST_TEST_REQUIRE(store.ensure_collection("c").ok());
    BOOST_TEST_REQUIRE(store.ensure_collection("d").ok());
  }
  std::vector<Timestamp> append(const std::string& c, std::vector<NewBlock> bs) {
    auto r = store.append({c}, bs);
    BOOST_TEST_REQUIRE(r.ok());
    return (*r)[0];
  }
};

Subscription subscription(std::string id, std::string key, bool push = true) {
  Subscription s;
  s.id = std::move(id);
  s.collection = "c";
  s.owner = "alice";
  s.spec_key = std::move(key);
  if (push) s.push = PushTarget{"urn:http", "http://127.0.0.1:1/inbox", "urn:xml11"};
  s.created = at(kT0);
  return s;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(content, Fixture)

BOOST_AUTO_TEST_CASE(collections_are_created_once) {
  BOOST_TEST(store.ensure_collection("c").ok());
  BOOST_TEST(*store.has_collection("c"));
  BOOST_TEST(!*store.has_collection("C"));
}

BOOST_AUTO_TEST_CASE(labels_are_max_of_now_and_last_plus_one_per_collection) {
  auto a = append("c", blocks(3));
  BOOST_TEST(a[0].micros() == kT0);
  BOOST_TEST(a[2].micros() == kT0 + 2);
  clock.set(at(kT0 - 10 * kSecond));  // the clock goes back: labels still increase
  BOOST_TEST(append("c", blocks(1))[0].micros() == kT0 + 3);
  clock.set(at(kT0 + kSecond));
  BOOST_TEST(append("c", blocks(1))[0].micros() == kT0 + kSecond);
  // Per collection: "d" starts at now.
  auto r = store.append({"d", "c"}, blocks(2));
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST((*r)[0][0].micros() == kT0 + kSecond);
  BOOST_TEST((*r)[1][0].micros() == kT0 + kSecond + 1);
  const auto all = scan_all(store, query("c"));
  for (std::size_t i = 1; i < all.size(); ++i) {
    BOOST_TEST(all[i - 1].label < all[i].label);
    BOOST_TEST(all[i - 1].id < all[i].id);
  }
}

BOOST_AUTO_TEST_CASE(append_is_all_or_nothing) {
  auto r = store.append({"c", "missing"}, blocks(2));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::NotFound);
  BOOST_TEST(r.error().message().find("missing") != std::string::npos);
  BOOST_TEST(*store.count(query("c")) == 0u);
  BOOST_TEST(!store.latest_label("c")->has_value());
}

BOOST_AUTO_TEST_CASE(scan_window_bindings_limit_and_order) {
  std::vector<NewBlock> bs{block("0", "a"), block("1", "b", "x"), block("2", "b", "y"), block("3", "b"),
                           block("4", "a")};
  auto labels = append("c", bs);
  ScanQuery q = query("c");
  q.after = labels[0];
  q.until = labels[3];
  BOOST_TEST(contents(scan_all(store, q)) == (std::vector<std::string>{"1", "2", "3"}));
  q.bindings = {{"b", {"y"}}, {"a", {}}};
  BOOST_TEST(contents(scan_all(store, q)) == (std::vector<std::string>{"2"}));
  q = query("c");
  q.bindings = {{"b", {"x", "y"}}, {"a", {}}};
  BOOST_TEST(contents(scan_all(store, q)) == (std::vector<std::string>{"0", "1", "2", "4"}));
  BOOST_TEST(*store.count(q) == 4u);
  q.limit = 3;
  BOOST_TEST(contents(scan_all(store, q)) == (std::vector<std::string>{"0", "1", "2"}));
  BOOST_TEST(*store.count(q) == 3u);
  BOOST_TEST(scan_all(store, query("nope")).empty());
  BOOST_TEST(*store.count(query("nope")) == 0u);
}

BOOST_AUTO_TEST_CASE(scan_crosses_batches_stops_on_false_and_lets_fn_call_the_store) {
  append("c", blocks(1000));
  std::vector<std::string> seen;
  auto s = store.scan(query("c"), [&](StoredBlock& b) {
    seen.push_back(b.content);
    (void)store.latest_label("c");  // would deadlock if the lock were held
    return seen.size() < 700;
  });
  BOOST_TEST(s.ok());
  BOOST_TEST(seen.size() == 700u);
  BOOST_TEST(seen[699] == "b699");
  BOOST_TEST(scan_all(store, query("c")).size() == 1000u);
}

BOOST_AUTO_TEST_CASE(latest_label_and_volume_follow_the_clock) {
  auto first = append("c", blocks(2));
  clock.advance(std::chrono::hours(20));
  auto second = append("c", blocks(3));
  BOOST_TEST(**store.latest_label("c") == second.back());
  BOOST_TEST(*store.volume_last_day("c") == 5u);
  clock.advance(std::chrono::hours(5));  // the first two are now older than a day
  BOOST_TEST(*store.volume_last_day("c") == 3u);
  BOOST_TEST(*store.volume_last_day("nope") == 0u);
}

BOOST_AUTO_TEST_CASE(append_from_source_skips_what_the_source_sent_before) {
  SourceMark m{"s1", {at(10), at(20)}, at(25)};
  auto r = store.append_from_source({"c"}, blocks(2, "a"), m);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r->appended == 2u);
  // The mark is 25 (the through): 20 and 25 are skipped, 30 and an unlabelled block kept.
  m = {"s1", {at(20), at(25), at(30), std::nullopt}, std::nullopt};
  r = store.append_from_source({"c"}, blocks(4, "b"), m);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r->appended == 2u);
  BOOST_TEST(r->skipped == 2u);
  BOOST_TEST(contents(scan_all(store, query("c"))) == (std::vector<std::string>{"a0", "a1", "b2", "b3"}));
  // Another source has its own mark; a missing collection stores nothing and moves no mark.
  BOOST_TEST(store.append_from_source({"c"}, blocks(1), {"s2", {at(5)}, std::nullopt})->appended == 1u);
  BOOST_TEST(!store.append_from_source({"missing"}, blocks(1), {"s3", {at(5)}, std::nullopt}).ok());
  BOOST_TEST(store.append_from_source({"c"}, blocks(1), {"s3", {at(5)}, std::nullopt})->appended == 1u);
  BOOST_TEST(!store.append_from_source({"c"}, blocks(2), {"s4", {at(5)}, std::nullopt}).ok());  // one label per block
}

BOOST_AUTO_TEST_CASE(concurrent_appends_get_unique_increasing_labels) {
  std::vector<std::thread> threads;
  std::vector<std::vector<Timestamp>> got(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        auto r = store.append({"c"}, blocks(5));
        if (r.ok()) got[t].insert(got[t].end(), (*r)[0].begin(), (*r)[0].end());
      }
    });
  for (auto& th : threads) th.join();
  std::set<int64_t> unique;
  for (const auto& v : got) {
    BOOST_TEST(std::is_sorted(v.begin(), v.end()));
    for (const auto& t : v) unique.insert(t.micros());
  }
  BOOST_TEST(unique.size() == 2000u);
  BOOST_TEST(*store.count(query("c")) == 2000u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(results, Fixture)

BOOST_AUTO_TEST_CASE(result_sets_parts_and_expiry) {
  ResultSet rs{"r1", "c", "req", 10, 5, at(1), at(9), at(kT0)};
  BOOST_TEST(!store.put_result_part("r1", {1, at(1), at(5)}).ok());  // no such result set
  BOOST_TEST(!store.put_result_set(ResultSet{"r0", "missing", "", 0, 1, {}, {}, at(kT0)}).ok());
  BOOST_TEST_REQUIRE(store.put_result_set(rs).ok());
  BOOST_TEST_REQUIRE(store.put_result_part("r1", {1, at(1), at(5)}).ok());
  BOOST_TEST_REQUIRE(store.put_result_part("r1", {1, at(1), at(6)}).ok());  // replaced
  rs.total_count = 11;
  BOOST_TEST_REQUIRE(store.put_result_set(rs).ok());  // replaced, parts kept
  BOOST_TEST((*store.get_result_set("r1"))->total_count == 11u);
  BOOST_TEST(*(*store.get_result_part("r1", 1))->last_label == at(6));
  BOOST_TEST(!store.get_result_part("r1", 2)->has_value());
  BOOST_TEST(*store.expire_result_sets(at(kT0)) == 0u);
  BOOST_TEST(*store.expire_result_sets(at(kT0 + 1)) == 1u);
  BOOST_TEST(!store.get_result_set("r1")->has_value());
  BOOST_TEST(!store.get_result_part("r1", 1)->has_value());
}

BOOST_AUTO_TEST_CASE(async_results_are_claimed_leased_and_released) {
  AsyncResult r;
  r.result_id = "a1";
  r.collection = "missing";
  BOOST_TEST(store.put_async_result(r).error().type() == StatusType::NotFound);
  r.collection = "c";
  r.created = at(kT0);
  r.next_attempt = at(kT0 + 10);
  BOOST_TEST_REQUIRE(store.put_async_result(r).ok());
  const ClaimLease early{"w1", at(kT0), at(kT0 + 100)};
  BOOST_TEST(store.claim_async_work(early, 5)->empty());  // not due yet
  const ClaimLease now{"w1", at(kT0 + 10), at(kT0 + 100)};
  BOOST_TEST_REQUIRE(store.claim_async_work(now, 5)->size() == 1u);
  BOOST_TEST(store.claim_async_work({"w2", at(kT0 + 50), at(kT0 + 200)}, 5)->empty());  // leased
  r.state = AsyncState::Ready;
  r.total_parts = 2;
  BOOST_TEST(!*store.release_async_result(r, "w2"));  // not w2's lease
  BOOST_TEST_REQUIRE(*store.release_async_result(r, "w1"));
  BOOST_TEST(((*store.get_async_result("a1"))->state == AsyncState::Ready));
  BOOST_TEST(store.claim_async_work(now, 5)->empty());  // Ready without delivery: nothing to do
  r.delivery = PushTarget{"urn:http", "http://x/", "urn:xml11"};
  BOOST_TEST_REQUIRE(store.put_async_result(r).ok());
  BOOST_TEST_REQUIRE(store.claim_async_work(now, 5)->size() == 1u);
  // The lease expires: another worker takes it over.
  BOOST_TEST(store.claim_async_work({"w2", at(kT0 + 100), at(kT0 + 300)}, 5)->size() == 1u);
  BOOST_TEST(!*store.release_async_result(r, "w1"));
  r.parts_pushed = 2;
  BOOST_TEST(*store.release_async_result(r, "w2"));
  BOOST_TEST(store.claim_async_work({"w3", at(kT0 + 400), at(kT0 + 500)}, 5)->empty());  // all pushed
  BOOST_TEST(*store.expire_async_results(at(kT0 + 1)) == 1u);
  BOOST_TEST(!store.get_async_result("a1")->has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(subscriptions, Fixture)

BOOST_AUTO_TEST_CASE(create_is_idempotent_per_spec_key_and_listed_oldest_first) {
  auto a = store.create_subscription(subscription("s1", "k1"));
  BOOST_TEST_REQUIRE(a.ok());
  auto again = store.create_subscription(subscription("s2", "k1"));
  BOOST_TEST(again->id == "s1");
  Subscription later = subscription("s0", "k2");
  later.created = at(kT0 + 1);
  BOOST_TEST_REQUIRE(store.create_subscription(later).ok());
  Subscription elsewhere = subscription("s9", "k9");
  elsewhere.collection = "missing";
  BOOST_TEST(store.create_subscription(elsewhere).error().type() == StatusType::NotFound);
  auto list = store.list_subscriptions("c", "alice");
  BOOST_TEST_REQUIRE(list->size() == 2u);
  BOOST_TEST((*list)[0].id == "s1");
  BOOST_TEST((*list)[1].id == "s0");
  BOOST_TEST(store.list_subscriptions("c", "bob")->empty());
  BOOST_TEST(*store.set_subscription_state("s1", SubscriptionState::Paused));
  BOOST_TEST(!*store.set_subscription_state("nope", SubscriptionState::Paused));
  BOOST_TEST(((*store.get_subscription("s1"))->state == SubscriptionState::Paused));
  BOOST_TEST_REQUIRE(store.advance_poll_cursor("s1", at(50)).ok());
  BOOST_TEST_REQUIRE(store.advance_poll_cursor("s1", at(40)).ok());  // never backwards
  BOOST_TEST(*(*store.get_subscription("s1"))->poll_cursor == at(50));
  BOOST_TEST(store.advance_poll_cursor("nope", at(1)).ok());
  BOOST_TEST(*store.delete_subscription("s1"));
  BOOST_TEST(!*store.delete_subscription("s1"));
}

BOOST_AUTO_TEST_CASE(push_work_needs_content_above_the_cursor_and_a_free_lease) {
  BOOST_TEST_REQUIRE(store.create_subscription(subscription("s1", "k1")).ok());
  BOOST_TEST_REQUIRE(store.create_subscription(subscription("poller", "k2", false)).ok());
  const ClaimLease l1{"w1", at(kT0), at(kT0 + 100)};
  BOOST_TEST(store.claim_push_work(l1, 5)->empty());  // nothing stored yet
  auto labels = append("c", blocks(2));
  auto claimed = store.claim_push_work(l1, 5);
  BOOST_TEST_REQUIRE(claimed->size() == 1u);  // the poller has no push parameters
  BOOST_TEST(store.claim_push_work({"w2", at(kT0 + 1), at(kT0 + 100)}, 5)->empty());  // leased
  BOOST_TEST(!*store.complete_push("s1", "w2", labels[1]));
  BOOST_TEST_REQUIRE(*store.fail_push("s1", "w1", at(kT0 + 50), "refused"));
  auto s = *store.get_subscription("s1");
  BOOST_TEST(s->attempts == 1u);
  BOOST_TEST(*s->last_error == "refused");
  BOOST_TEST(store.claim_push_work({"w1", at(kT0 + 49), at(kT0 + 100)}, 5)->empty());  // not due
  BOOST_TEST_REQUIRE(store.claim_push_work({"w1", at(kT0 + 50), at(kT0 + 100)}, 5)->size() == 1u);
  BOOST_TEST_REQUIRE(*store.complete_push("s1", "w1", labels[0]));
  s = *store.get_subscription("s1");
  BOOST_TEST(s->attempts == 0u);
  BOOST_TEST(!s->last_error);
  BOOST_TEST(*s->push_cursor == labels[0]);
  BOOST_TEST_REQUIRE(store.claim_push_work(l1, 5)->size() == 1u);  // labels[1] is still above it
  BOOST_TEST_REQUIRE(*store.complete_push("s1", "w1", labels[1]));
  BOOST_TEST(store.claim_push_work(l1, 5)->empty());
  BOOST_TEST_REQUIRE(store.set_subscription_state("s1", SubscriptionState::Paused).ok());
  append("c", blocks(1));
  BOOST_TEST(store.claim_push_work(l1, 5)->empty());  // paused
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(accounts_are_put_read_listed_and_deleted) {
  MemoryStore store;
  BOOST_TEST_REQUIRE(store.put_account({"bob", "h", "s", 10, {"g1"}}).ok());
  BOOST_TEST_REQUIRE(store.put_account({"alice", "h2", "s2", 20, {}}).ok());
  BOOST_TEST_REQUIRE(store.put_account({"bob", "h3", "s3", 30, {"g2", "g3"}}).ok());  // replaced
  auto bob = store.get_account("bob");
  BOOST_TEST((*bob)->hash == "h3");
  BOOST_TEST((*bob)->groups == (std::vector<std::string>{"g2", "g3"}));
  auto all = store.list_accounts();
  BOOST_TEST_REQUIRE(all->size() == 2u);
  BOOST_TEST((*all)[0].username == "alice");
  BOOST_TEST(*store.delete_account("bob"));
  BOOST_TEST(!*store.delete_account("bob"));
  BOOST_TEST(!store.get_account("bob")->has_value());
}
