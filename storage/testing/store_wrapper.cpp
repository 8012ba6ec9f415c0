#include "storage/testing/store_wrapper.hpp"

namespace taxii::storage::testing {

namespace {

// By StoreCall, in the order of its enumerators.
constexpr std::string_view kCallNames[] = {
    "ensure_collection", "has_collection", "append", "scan", "count", "latest_label", "volume_last_day",
    "append_from_source", "put_result_set", "get_result_set", "put_result_part", "get_result_part",
    "expire_result_sets", "put_async_result", "get_async_result", "claim_async_work", "release_async_result",
    "expire_async_results", "create_subscription", "get_subscription", "list_subscriptions",
    "set_subscription_state", "delete_subscription", "advance_poll_cursor", "claim_push_work",
    "complete_push", "fail_push", "put_account", "get_account", "delete_account", "list_accounts",
    "ensure_object_collection", "add_objects", "scan_objects", "delete_objects", "added_range", "put_status",
    "get_status", "expire_statuses", "put_token", "find_token", "list_tokens", "delete_token",
};
static_assert(sizeof(kCallNames) / sizeof(kCallNames[0]) == kStoreCalls, "one name per StoreCall");

}  // namespace

std::string_view call_name(StoreCall c) {
  const auto i = static_cast<std::size_t>(c);
  return i < static_cast<std::size_t>(kStoreCalls) ? kCallNames[i] : "?";
}

std::ostream& operator<<(std::ostream& os, StoreCall c) { return os << call_name(c); }

template <class F>
auto StoreWrapper::run(StoreCall call, F&& forward) -> decltype(forward()) {
  const Injection i = inject(call);
  if (i.error && !i.after_call) return *i.error;
  auto result = forward();
  if (i.error) return *i.error;
  return result;
}

// Scans are forwarded with a visitor that counts the rows handed out, so that they can fail
// mid-way (Injection::after_blocks), as a connection lost during a long scan does.
template <class Row, class F>
Status StoreWrapper::run_scan(StoreCall call, const std::function<bool(Row&)>& fn, F&& forward) {
  const Injection i = inject(call);
  if (!i.error) return forward(fn);
  if (!i.after_call && i.after_blocks == 0) return *i.error;
  uint64_t handed = 0;
  bool visitor_stopped = false;
  const std::function<bool(Row&)> counting = [&](Row& row) {
    if (!i.after_call && handed == i.after_blocks) return false;
    ++handed;
    visitor_stopped = !fn(row);
    return !visitor_stopped;
  };
  auto scanned = forward(counting);
  if (!scanned.ok()) return scanned;
  if (visitor_stopped) return scanned;  // the visitor had what it wanted before the failure
  return *i.error;
}

Status StoreWrapper::scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) {
  return run_scan(StoreCall::Scan, fn, [&](const std::function<bool(StoredBlock&)>& f) { return target_.scan(q, f); });
}

Status StoreWrapper::ensure_collection(std::string_view name) {
  return run(StoreCall::EnsureCollection, [&] { return target_.ensure_collection(name); });
}

Result<bool> StoreWrapper::has_collection(std::string_view name) {
  return run(StoreCall::HasCollection, [&] { return target_.has_collection(name); });
}

Result<std::vector<std::vector<Timestamp>>> StoreWrapper::append(const std::vector<std::string>& collections,
                                                                 const std::vector<NewBlock>& blocks) {
  return run(StoreCall::Append, [&] { return target_.append(collections, blocks); });
}

Result<uint64_t> StoreWrapper::count(const ScanQuery& q) {
  return run(StoreCall::Count, [&] { return target_.count(q); });
}

Result<std::optional<Timestamp>> StoreWrapper::latest_label(std::string_view collection) {
  return run(StoreCall::LatestLabel, [&] { return target_.latest_label(collection); });
}

Result<uint64_t> StoreWrapper::volume_last_day(std::string_view collection) {
  return run(StoreCall::VolumeLastDay, [&] { return target_.volume_last_day(collection); });
}

Result<SourceAppend> StoreWrapper::append_from_source(const std::vector<std::string>& collections,
                                                      const std::vector<NewBlock>& blocks, const SourceMark& mark) {
  return run(StoreCall::AppendFromSource, [&] { return target_.append_from_source(collections, blocks, mark); });
}

Status StoreWrapper::put_result_set(const ResultSet& rs) {
  return run(StoreCall::PutResultSet, [&] { return target_.put_result_set(rs); });
}

Result<std::optional<ResultSet>> StoreWrapper::get_result_set(std::string_view result_id) {
  return run(StoreCall::GetResultSet, [&] { return target_.get_result_set(result_id); });
}

Status StoreWrapper::put_result_part(std::string_view result_id, const ResultPart& p) {
  return run(StoreCall::PutResultPart, [&] { return target_.put_result_part(result_id, p); });
}

Result<std::optional<ResultPart>> StoreWrapper::get_result_part(std::string_view result_id, uint64_t part_number) {
  return run(StoreCall::GetResultPart, [&] { return target_.get_result_part(result_id, part_number); });
}

Result<uint64_t> StoreWrapper::expire_result_sets(Timestamp cutoff) {
  return run(StoreCall::ExpireResultSets, [&] { return target_.expire_result_sets(cutoff); });
}

Status StoreWrapper::put_async_result(const AsyncResult& r) {
  return run(StoreCall::PutAsyncResult, [&] { return target_.put_async_result(r); });
}

Result<std::optional<AsyncResult>> StoreWrapper::get_async_result(std::string_view result_id) {
  return run(StoreCall::GetAsyncResult, [&] { return target_.get_async_result(result_id); });
}

Result<std::vector<AsyncResult>> StoreWrapper::claim_async_work(const ClaimLease& lease, std::size_t max) {
  return run(StoreCall::ClaimAsyncWork, [&] { return target_.claim_async_work(lease, max); });
}

Result<bool> StoreWrapper::release_async_result(const AsyncResult& r, const std::string& worker) {
  return run(StoreCall::ReleaseAsyncResult, [&] { return target_.release_async_result(r, worker); });
}

Result<uint64_t> StoreWrapper::expire_async_results(Timestamp cutoff) {
  return run(StoreCall::ExpireAsyncResults, [&] { return target_.expire_async_results(cutoff); });
}

Result<Subscription> StoreWrapper::create_subscription(const Subscription& s) {
  return run(StoreCall::CreateSubscription, [&] { return target_.create_subscription(s); });
}

Result<std::optional<Subscription>> StoreWrapper::get_subscription(std::string_view id) {
  return run(StoreCall::GetSubscription, [&] { return target_.get_subscription(id); });
}

Result<std::vector<Subscription>> StoreWrapper::list_subscriptions(std::string_view collection,
                                                                   std::string_view owner) {
  return run(StoreCall::ListSubscriptions, [&] { return target_.list_subscriptions(collection, owner); });
}

Result<bool> StoreWrapper::set_subscription_state(std::string_view id, SubscriptionState state) {
  return run(StoreCall::SetSubscriptionState, [&] { return target_.set_subscription_state(id, state); });
}

Result<bool> StoreWrapper::delete_subscription(std::string_view id) {
  return run(StoreCall::DeleteSubscription, [&] { return target_.delete_subscription(id); });
}

Status StoreWrapper::advance_poll_cursor(std::string_view id, Timestamp through) {
  return run(StoreCall::AdvancePollCursor, [&] { return target_.advance_poll_cursor(id, through); });
}

Result<std::vector<Subscription>> StoreWrapper::claim_push_work(const ClaimLease& lease, std::size_t max) {
  return run(StoreCall::ClaimPushWork, [&] { return target_.claim_push_work(lease, max); });
}

Result<bool> StoreWrapper::complete_push(std::string_view id, const std::string& worker, Timestamp through) {
  return run(StoreCall::CompletePush, [&] { return target_.complete_push(id, worker, through); });
}

Result<bool> StoreWrapper::fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                                     const std::string& error) {
  return run(StoreCall::FailPush, [&] { return target_.fail_push(id, worker, retry_at, error); });
}

Status StoreWrapper::put_account(const Account& a) {
  return run(StoreCall::PutAccount, [&] { return target_.put_account(a); });
}

Result<std::optional<StoreWrapper::Account>> StoreWrapper::get_account(std::string_view username) {
  return run(StoreCall::GetAccount, [&] { return target_.get_account(username); });
}

Result<bool> StoreWrapper::delete_account(std::string_view username) {
  return run(StoreCall::DeleteAccount, [&] { return target_.delete_account(username); });
}

Result<std::vector<StoreWrapper::Account>> StoreWrapper::list_accounts() {
  return run(StoreCall::ListAccounts, [&] { return target_.list_accounts(); });
}

Status StoreWrapper::put_token(const Token& t) {
  return run(StoreCall::PutToken, [&] { return target_.put_token(t); });
}

Result<std::optional<StoreWrapper::Token>> StoreWrapper::find_token(std::string_view hash) {
  return run(StoreCall::FindToken, [&] { return target_.find_token(hash); });
}

Result<std::vector<StoreWrapper::Token>> StoreWrapper::list_tokens(std::string_view username) {
  return run(StoreCall::ListTokens, [&] { return target_.list_tokens(username); });
}

Result<bool> StoreWrapper::delete_token(std::string_view id) {
  return run(StoreCall::DeleteToken, [&] { return target_.delete_token(id); });
}

// --- ObjectStore ---------------------------------------------------------------------------

Status StoreWrapper::ensure_object_collection(std::string_view collection_id) {
  return run(StoreCall::EnsureObjectCollection, [&] { return target_.ensure_object_collection(collection_id); });
}

Result<std::vector<AddOutcome>> StoreWrapper::add_objects(std::string_view collection_id,
                                                          const std::vector<NewObject>& objects) {
  return run(StoreCall::AddObjects, [&] { return target_.add_objects(collection_id, objects); });
}

Status StoreWrapper::scan_objects(const ObjectQuery& q, const std::function<bool(StoredObject&)>& fn) {
  return run_scan(StoreCall::ScanObjects, fn,
                  [&](const std::function<bool(StoredObject&)>& f) { return target_.scan_objects(q, f); });
}

Result<uint64_t> StoreWrapper::delete_objects(const ObjectQuery& q) {
  return run(StoreCall::DeleteObjects, [&] { return target_.delete_objects(q); });
}

Result<std::optional<std::pair<Timestamp, Timestamp>>> StoreWrapper::added_range(std::string_view collection_id) {
  return run(StoreCall::AddedRange, [&] { return target_.added_range(collection_id); });
}

Status StoreWrapper::put_status(const StatusRecord& s) {
  return run(StoreCall::PutStatus, [&] { return target_.put_status(s); });
}

Result<std::optional<StatusRecord>> StoreWrapper::get_status(std::string_view id) {
  return run(StoreCall::GetStatus, [&] { return target_.get_status(id); });
}

Result<uint64_t> StoreWrapper::expire_statuses(Timestamp cutoff) {
  return run(StoreCall::ExpireStatuses, [&] { return target_.expire_statuses(cutoff); });
}

}  // namespace taxii::storage::testing
