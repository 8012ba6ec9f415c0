// StoreWrapper: a Store that forwards every call to another one (leveldb's EnvWrapper pattern),
// so that a test store overrides only what it changes; FailingStore (failing_store.hpp) is the
// one the tests use. Every call also passes through inject(), which may make it fail: before it
// reaches the wrapped store, after it (the store did the work, the caller is told it failed), or,
// for scan(), after handing some blocks to the visitor.
//
// Library taxii_store_testing, for tests only. Thread-safe if the wrapped store is and
// inject() is. The wrapped store outlives the wrapper.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

#include "storage/store.hpp"

namespace taxii::storage::testing {

// Every Store method, by slice (store.hpp).
// clang-format off
enum class StoreCall {
  // ContentStore
  EnsureCollection, HasCollection, Append, Scan, Count, LatestLabel, VolumeLastDay, AppendFromSource,
  // ResultStore
  PutResultSet, GetResultSet, PutResultPart, GetResultPart, ExpireResultSets,
  PutAsyncResult, GetAsyncResult, ClaimAsyncWork, ReleaseAsyncResult, ExpireAsyncResults,
  // SubscriptionStore
  CreateSubscription, GetSubscription, ListSubscriptions, SetSubscriptionState, DeleteSubscription,
  AdvancePollCursor, ClaimPushWork, CompletePush, FailPush,
  // AccountStore
  PutAccount, GetAccount, DeleteAccount, ListAccounts,
  // ObjectStore (storage/objects.hpp)
  EnsureObjectCollection, AddObjects, ScanObjects, DeleteObjects, AddedRange, PutStatus, GetStatus, ExpireStatuses,
  // AccountStore: API tokens
  PutToken, FindToken, ListTokens, DeleteToken,
};
// clang-format on
inline constexpr int kStoreCalls = static_cast<int>(StoreCall::DeleteToken) + 1;

// The method's name: "append", "claim_push_work", ...
std::string_view call_name(StoreCall c);
std::ostream& operator<<(std::ostream& os, StoreCall c);

// What happens to one call (decided once per call, by StoreWrapper::inject).
struct Injection {
  std::optional<Error> error;  // none: the call is forwarded untouched
  bool after_call = false;     // forward first, then answer `error` (the store did the work)
  uint64_t after_blocks = 0;   // scan(), scan_objects(): hand this many rows to the visitor, then answer `error`
};

class StoreWrapper : public Store {
 public:
  explicit StoreWrapper(Store& target) : target_(target) {}
  Store& target() const { return target_; }

  Status ensure_collection(std::string_view name) override;
  Result<bool> has_collection(std::string_view name) override;
  Result<std::vector<std::vector<Timestamp>>> append(const std::vector<std::string>& collections,
                                                     const std::vector<NewBlock>& blocks) override;
  Status scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) override;
  Result<uint64_t> count(const ScanQuery& q) override;
  Result<std::optional<Timestamp>> latest_label(std::string_view collection) override;
  Result<uint64_t> volume_last_day(std::string_view collection) override;
  Result<SourceAppend> append_from_source(const std::vector<std::string>& collections,
                                          const std::vector<NewBlock>& blocks, const SourceMark& mark) override;

  Status put_result_set(const ResultSet& rs) override;
  Result<std::optional<ResultSet>> get_result_set(std::string_view result_id) override;
  Status put_result_part(std::string_view result_id, const ResultPart& p) override;
  Result<std::optional<ResultPart>> get_result_part(std::string_view result_id, uint64_t part_number) override;
  Result<uint64_t> expire_result_sets(Timestamp cutoff) override;
  Status put_async_result(const AsyncResult& r) override;
  Result<std::optional<AsyncResult>> get_async_result(std::string_view result_id) override;
  Result<std::vector<AsyncResult>> claim_async_work(const ClaimLease& lease, std::size_t max) override;
  Result<bool> release_async_result(const AsyncResult& r, const std::string& worker) override;
  Result<uint64_t> expire_async_results(Timestamp cutoff) override;

  Result<Subscription> create_subscription(const Subscription& s) override;
  Result<std::optional<Subscription>> get_subscription(std::string_view id) override;
  Result<std::vector<Subscription>> list_subscriptions(std::string_view collection, std::string_view owner) override;
  Result<bool> set_subscription_state(std::string_view id, SubscriptionState state) override;
  Result<bool> delete_subscription(std::string_view id) override;
  Status advance_poll_cursor(std::string_view id, Timestamp through) override;
  Result<std::vector<Subscription>> claim_push_work(const ClaimLease& lease, std::size_t max) override;
  Result<bool> complete_push(std::string_view id, const std::string& worker, Timestamp through) override;
  Result<bool> fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                         const std::string& error) override;

  Status put_account(const Account& a) override;
  Result<std::optional<Account>> get_account(std::string_view username) override;
  Result<bool> delete_account(std::string_view username) override;
  Result<std::vector<Account>> list_accounts() override;
  Status put_token(const Token& t) override;
  Result<std::optional<Token>> find_token(std::string_view hash) override;
  Result<std::vector<Token>> list_tokens(std::string_view username) override;
  Result<bool> delete_token(std::string_view id) override;

  Status ensure_object_collection(std::string_view collection_id) override;
  Result<std::vector<AddOutcome>> add_objects(std::string_view collection_id,
                                              const std::vector<NewObject>& objects) override;
  Status scan_objects(const ObjectQuery& q, const std::function<bool(StoredObject&)>& fn) override;
  Result<uint64_t> delete_objects(const ObjectQuery& q) override;
  Result<std::optional<std::pair<Timestamp, Timestamp>>> added_range(std::string_view collection_id) override;
  Status put_status(const StatusRecord& s) override;
  Result<std::optional<StatusRecord>> get_status(std::string_view id) override;
  Result<uint64_t> expire_statuses(Timestamp cutoff) override;

 protected:
  // Called once per call, before it is forwarded. Default: nothing injected.
  virtual Injection inject(StoreCall) { return {}; }

 private:
  // Forwards one call (`forward` calls the wrapped store) as inject() decides.
  template <class F>
  auto run(StoreCall call, F&& forward) -> decltype(forward());
  // Forwards a scan (`forward` scans the wrapped store with the visitor it is given) as
  // inject() decides, counting the rows handed to fn (Injection::after_blocks).
  template <class Row, class F>
  Status run_scan(StoreCall call, const std::function<bool(Row&)>& fn, F&& forward);

  Store& target_;
};

}  // namespace taxii::storage::testing
