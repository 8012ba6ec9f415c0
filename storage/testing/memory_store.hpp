// MemoryStore: a Store kept in memory, for tests (library taxii_store_testing; never linked into
// taxiid). It implements every slice and keeps the rules of storage/store.hpp as the SQL
// backends do (memory_store_test checks them):
// - labels max(now, last + 1 µs), strictly increasing per collection, each block its own;
// - append() and append_from_source() all or nothing (a missing collection: NotFound, nothing
//   stored); ids increase store-wide;
// - scan() visits in label order in batches, and runs fn without holding the lock, so fn may
//   call the store (as build_async_result does);
// - leases of claim_push_work / claim_async_work, cursors and source marks as documented.
// Nothing is durable: a MemoryStore is one process's, and "restart" means the same object.
//
// Time: `clock` gives the labels' "now" and the 24 hours of volume_last_day.
// Thread-safe: one mutex guards everything.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "storage/store.hpp"

namespace taxii::storage::testing {

namespace detail {
// One TAXII 2.1 collection of a MemoryStore (memory_objects.cpp).
struct MemoryObjectCollection {
  struct Row {
    StoredObject object;
    std::string digest;
  };
  using Key = std::tuple<int64_t, std::string, std::string>;  // (date_added, id, version_key)
  std::optional<int64_t> last_added;  // the date_added of the last add that stored something
  std::map<Key, Row> rows;            // in result order
  std::map<std::pair<std::string, std::string>, int64_t> versions;  // (id, version_key) -> date_added
};
}  // namespace detail

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const Clock& clock = SystemClock::instance()) : clock_(clock) {}

  // ContentStore
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

  // ResultStore
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

  // SubscriptionStore
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

  // AccountStore
  Status put_account(const Account& a) override;
  Result<std::optional<Account>> get_account(std::string_view username) override;
  Result<bool> delete_account(std::string_view username) override;
  Result<std::vector<Account>> list_accounts() override;
  Status put_token(const Token& t) override;
  Result<std::optional<Token>> find_token(std::string_view hash) override;
  Result<std::vector<Token>> list_tokens(std::string_view username) override;
  Result<bool> delete_token(std::string_view id) override;

  // ObjectStore (memory_objects.cpp): date_added max(now, last + 1 µs) per add that stores
  // something, one per call; filters as storage/objects.hpp says, evaluated row by row.
  Status ensure_object_collection(std::string_view collection_id) override;
  Result<std::vector<AddOutcome>> add_objects(std::string_view collection_id,
                                              const std::vector<NewObject>& objects) override;
  Status scan_objects(const ObjectQuery& q, const std::function<bool(StoredObject&)>& fn) override;
  Result<uint64_t> delete_objects(const ObjectQuery& q) override;
  Result<std::optional<std::pair<Timestamp, Timestamp>>> added_range(std::string_view collection_id) override;
  Status put_status(const StatusRecord& s) override;
  Result<std::optional<StatusRecord>> get_status(std::string_view id) override;
  Result<uint64_t> expire_statuses(Timestamp cutoff) override;

 private:
  // Who holds a claim and until when (the SQL stores' lease_owner / lease_until columns).
  struct Lease {
    std::string worker;
    Timestamp until;
  };
  template <class R>
  struct Leased {
    R record;
    std::optional<Lease> lease;
    uint64_t order = 0;  // insertion order: the tie-break after next_attempt and created
  };
  struct ResultEntry {
    ResultSet set;
    std::map<uint64_t, ResultPart> parts;
  };

  // REQUIRES: mu_ held. NotFound naming the first missing collection, as the SQL stores.
  Status check_collections(const std::vector<std::string>& collections) const;
  // REQUIRES: mu_ held and every collection exists.
  std::vector<std::vector<Timestamp>> append_locked(const std::vector<std::string>& collections,
                                                    const std::vector<NewBlock>& blocks);
  // REQUIRES: mu_ held. The blocks of q.collection with a label above `after` and at most
  // q.until that match q.bindings, in label order, at most `max` of them (0: all).
  std::vector<StoredBlock> select(const ScanQuery& q, const std::optional<Timestamp>& after, std::size_t max) const;
  // REQUIRES: mu_ held.
  bool has_content_above(const std::string& collection, const std::optional<Timestamp>& cursor) const;
  static bool free_for(const std::optional<Lease>& lease, Timestamp now);
  // REQUIRES: mu_ held. Leases and returns up to `max` records that are due at lease.now, not
  // leased (or the lease ended) and for which due(record) holds; oldest due first (next
  // attempt, creation, insertion).
  template <class R, class Due>
  static std::vector<R> claim(std::map<std::string, Leased<R>, std::less<>>& entries, const ClaimLease& lease,
                              std::size_t max, Due due);
  // REQUIRES: mu_ held. True if `worker` holds the lease of this record (then released).
  template <class R>
  static bool take_back(Leased<R>& entry, const std::string& worker);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<StoredBlock>, std::less<>> collections_;  // each in label order
  int64_t next_id_ = 1;
  std::map<std::string, ResultEntry, std::less<>> results_;
  std::map<std::string, Leased<AsyncResult>, std::less<>> async_;
  std::map<std::string, Leased<Subscription>, std::less<>> subscriptions_;
  std::map<std::string, Timestamp, std::less<>> source_marks_;
  std::map<std::string, Account, std::less<>> accounts_;
  std::map<std::string, Token, std::less<>> tokens_;  // by id
  uint64_t next_order_ = 0;
  std::map<std::string, detail::MemoryObjectCollection, std::less<>> object_collections_;
  std::map<std::string, StatusRecord, std::less<>> statuses_;
};

}  // namespace taxii::storage::testing
