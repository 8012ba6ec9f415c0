// FailingStore (storage/testing/failing_store.hpp) over a MemoryStore: forwards every call,
// fails the chosen ones (by method, the Nth call, a number of times, before or after the call
// reached the wrapped store, a scan mid-way) and counts them.
#define BOOST_TEST_MODULE failing_store
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "storage/testing/failing_store.hpp"
#include "storage/testing/memory_store.hpp"

using namespace taxii;
using namespace taxii::storage;
using namespace taxii::storage::testing;

namespace {

std::vector<NewBlock> blocks(std::size_t n) {
  std::vector<NewBlock> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = NewBlock{"urn:stix", std::nullopt, "b" + std::to_string(i), {}};
  return out;
}

ScanQuery all(std::string c) { return ScanQuery{std::move(c), std::nullopt, std::nullopt, {}, 0}; }

struct Fixture {
  MemoryStore real;
  FailingStore store{real};
  Fixture() { BOOST_TEST_REQUIRE(store.ensure_collection("c").ok()); }
  uint64_t stored() { return *real.count(all("c")); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(failing_store, Fixture)

BOOST_AUTO_TEST_CASE(forwards_everything_when_no_rule_is_set) {
  BOOST_TEST_REQUIRE(store.append({"c"}, blocks(3)).ok());
  BOOST_TEST(*store.count(all("c")) == 3u);
  BOOST_TEST(store.calls(StoreCall::Append) == 1u);
  BOOST_TEST(store.calls(StoreCall::Count) == 1u);
  BOOST_TEST(store.failures() == 0u);
  BOOST_TEST(&store.target() == &real);
}

BOOST_AUTO_TEST_CASE(fails_the_next_call_of_a_method_before_it_reaches_the_store) {
  store.fail({StoreCall::Append});
  BOOST_TEST(*store.count(all("c")) == 0u);  // another method is not concerned
  auto r = store.append({"c"}, blocks(2));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::Failure);
  BOOST_TEST(r.error().message() == "injected store failure (append)");
  BOOST_TEST(stored() == 0u);                       // never reached the store
  BOOST_TEST(store.append({"c"}, blocks(2)).ok());  // once only
  BOOST_TEST(stored() == 2u);
  BOOST_TEST(store.failures() == 1u);
}

BOOST_AUTO_TEST_CASE(fails_the_nth_call_a_number_of_times_or_forever) {
  store.fail({StoreCall::LatestLabel, 2, 2});
  BOOST_TEST(store.latest_label("c").ok());
  BOOST_TEST(!store.latest_label("c").ok());
  BOOST_TEST(!store.latest_label("c").ok());
  BOOST_TEST(store.latest_label("c").ok());
  Fault any;
  any.times = 0;
  store.fail(any);
  BOOST_TEST(!store.has_collection("c").ok());
  BOOST_TEST(!store.volume_last_day("c").ok());
  store.heal();
  BOOST_TEST(store.has_collection("c").ok());
  BOOST_TEST(store.calls(StoreCall::LatestLabel) == 4u);
  BOOST_TEST(store.failures() == 4u);
}

BOOST_AUTO_TEST_CASE(after_call_does_the_work_and_still_reports_failure) {
  Fault f{StoreCall::Append};
  f.after_call = true;
  store.fail(f);
  BOOST_TEST(!store.append({"c"}, blocks(2)).ok());
  BOOST_TEST(stored() == 2u);  // committed, but the caller was told otherwise
}

BOOST_AUTO_TEST_CASE(scan_breaks_after_some_blocks) {
  BOOST_TEST_REQUIRE(store.append({"c"}, blocks(5)).ok());
  Fault f{StoreCall::Scan};
  f.after_blocks = 3;
  store.fail(f);
  std::vector<std::string> seen;
  auto s = store.scan(all("c"), [&](StoredBlock& b) {
    seen.push_back(b.content);
    return true;
  });
  BOOST_TEST(!s.ok());
  BOOST_TEST(seen == (std::vector<std::string>{"b0", "b1", "b2"}));
  // A visitor that stops before the break point sees no failure.
  f.nth = 1;
  store.fail(f);
  seen.clear();
  s = store.scan(all("c"), [&](StoredBlock& b) {
    seen.push_back(b.content);
    return seen.size() < 2;
  });
  BOOST_TEST(s.ok());
  BOOST_TEST(seen.size() == 2u);
  BOOST_TEST(store.scan(all("c"), [](StoredBlock&) { return true; }).ok());
}

BOOST_AUTO_TEST_CASE(every_method_can_be_failed) {
  // One rule per method, each fires on that method's first call.
  for (int i = 0; i < kStoreCalls; ++i) store.fail({static_cast<StoreCall>(i)});
  BOOST_TEST(!store.put_account({"u", "h", "s", 1, {}}).ok());
  BOOST_TEST(!store.list_accounts().ok());
  BOOST_TEST(!store.claim_push_work({"w", {}, {}}, 1).ok());
  BOOST_TEST(!store.claim_async_work({"w", {}, {}}, 1).ok());
  BOOST_TEST(!store.complete_push("s", "w", {}).ok());
  BOOST_TEST(!store.put_result_part("r", {}).ok());
  BOOST_TEST(store.failures() == 6u);
  BOOST_TEST(call_name(StoreCall::AppendFromSource) == "append_from_source");
  BOOST_TEST(call_name(StoreCall::ListAccounts) == "list_accounts");
  BOOST_TEST(!store.add_objects("c2", {}).ok());
  BOOST_TEST(!store.get_status("s").ok());
  BOOST_TEST(store.failures() == 8u);
  BOOST_TEST(call_name(StoreCall::ExpireStatuses) == "expire_statuses");
  BOOST_TEST(call_name(StoreCall::Scan) == "scan");
  BOOST_TEST(call_name(StoreCall::ScanObjects) == "scan_objects");
}

// The ObjectStore slice (storage/objects.hpp) is forwarded and fails like the others: an add
// after it reached the store, a scan of objects mid-way.
BOOST_AUTO_TEST_CASE(object_calls_fail_like_the_others) {
  BOOST_TEST_REQUIRE(store.ensure_object_collection("c2").ok());
  std::vector<NewObject> objects;
  for (int i = 0; i < 3; ++i)
    objects.push_back({"indicator--" + std::to_string(i), "indicator", "2.1", "2024-01-01T00:00:00.000Z",
                       "2024-01-01T00:00:00.000000000Z", "{}", "d" + std::to_string(i)});
  Fault after;
  after.call = StoreCall::AddObjects;
  after.after_call = true;
  store.fail(after);
  BOOST_TEST(!store.add_objects("c2", objects).ok());
  ObjectQuery q;
  q.collection = "c2";
  uint64_t stored = 0;
  BOOST_TEST(real.scan_objects(q, [&](StoredObject&) { return ++stored > 0; }).ok());
  BOOST_TEST(stored == 3u);  // the store did the work
  Fault mid;
  mid.call = StoreCall::ScanObjects;
  mid.after_blocks = 1;
  store.fail(mid);
  uint64_t seen = 0;
  auto s = store.scan_objects(q, [&](StoredObject&) { return ++seen > 0; });
  BOOST_TEST(!s.ok());
  BOOST_TEST(seen == 1u);
  BOOST_TEST(store.scan_objects(q, [&](StoredObject&) { return ++seen > 0; }).ok());
  BOOST_TEST(seen == 4u);
  BOOST_TEST(store.calls(StoreCall::ScanObjects) == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
