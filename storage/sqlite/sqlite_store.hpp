// SqliteStore: the embedded default Store, one SQLite database file (or a private
// in-memory database) accessed through Poco::Data's SQLite connector.
//
// Durability: WAL journal with synchronous=FULL, so an append that returned ok survives
// kill -9 and power loss. Appends run in a write transaction (BEGIN IMMEDIATE), so the labels
// are computed from the stored maximum under the database write lock: correct across restarts
// and with several processes on one file. Concurrent appends share one transaction and one
// fsync (group commit, each in its own savepoint; sqlite_group_commit.cpp).
//
// Concurrency: thread-safe. Writes go through one writer session, one at a time (a mutex);
// reads use a small pool of separate read-only sessions, which WAL lets run alongside the
// writer. An in-memory database has a single session, shared by reads and writes.
// scan() fetches bounded batches (keyset pagination on the label) and calls back with no
// lock or transaction held, so a callback may use the store.
//
// Errors: Failure with a neutral message; the details go to std::cerr ("taxii storage:").
// append() to a collection that does not exist fails with NotFound (ITEM = the name).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/sqlite/sqlite_checkpointer.hpp"
#include "storage/sqlite/sqlite_prepared.hpp"
#include "storage/store.hpp"

namespace Poco::Data {
class Session;
}

namespace taxii::storage {

class SqliteStore final : public Store {
 public:
  struct Options {
    // How long a statement waits for a lock held by another connection or process.
    int busy_timeout_ms = 10000;
    // Idle read sessions kept open; more are opened on demand and closed after use.
    std::size_t max_idle_readers = 4;
    // Source of "now" for labels and volume_last_day. Tests inject a fixed clock.
    std::function<Timestamp()> clock = &Timestamp::now;
  };

  // Opens (creating if missing) the database at `path`, or a private in-memory database
  // for ":memory:", and applies the embedded migrations newer than its schema_version.
  // Fails with Failure (message names the path; details in the log).
  [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                                 Options options);
  [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::string& path) {
    return open(path, Options{});
  }

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  [[nodiscard]] Status ensure_collection(std::string_view name) override;
  [[nodiscard]] Result<bool> has_collection(std::string_view name) override;
  [[nodiscard]] Result<std::vector<std::vector<Timestamp>>> append(
      const std::vector<std::string>& collections, const std::vector<NewBlock>& blocks) override;
  [[nodiscard]] Status scan(const ScanQuery& q,
                            const std::function<bool(StoredBlock&)>& fn) override;
  [[nodiscard]] Result<uint64_t> count(const ScanQuery& q) override;
  [[nodiscard]] Result<std::optional<Timestamp>> latest_label(std::string_view collection) override;
  [[nodiscard]] Result<uint64_t> volume_last_day(std::string_view collection) override;
  [[nodiscard]] Status put_result_set(const ResultSet& rs) override;
  [[nodiscard]] Result<std::optional<ResultSet>> get_result_set(
      std::string_view result_id) override;
  [[nodiscard]] Status put_result_part(std::string_view result_id, const ResultPart& p) override;
  [[nodiscard]] Result<std::optional<ResultPart>> get_result_part(std::string_view result_id,
                                                                  uint64_t part_number) override;
  [[nodiscard]] Result<uint64_t> expire_result_sets(Timestamp cutoff) override;

  // The schema version of the open database (the highest migration applied).
  [[nodiscard]] Result<int64_t> schema_version();

  // --- Subscriptions and push outbox (issue #6); sqlite_subscriptions.cpp -------------------
  // Every call runs on the writer session (one at a time): these are small, rare statements.
  [[nodiscard]] Result<Subscription> create_subscription(const Subscription& s) override;
  [[nodiscard]] Result<std::optional<Subscription>> get_subscription(std::string_view id) override;
  [[nodiscard]] Result<std::vector<Subscription>> list_subscriptions(std::string_view collection,
                                                                     std::string_view owner) override;
  [[nodiscard]] Result<bool> set_subscription_state(std::string_view id, SubscriptionState state) override;
  [[nodiscard]] Result<bool> delete_subscription(std::string_view id) override;
  [[nodiscard]] Status advance_poll_cursor(std::string_view id, Timestamp through) override;
  [[nodiscard]] Result<std::vector<Subscription>> claim_push_work(const ClaimLease& lease, std::size_t max) override;
  [[nodiscard]] Result<bool> complete_push(std::string_view id, const std::string& worker,
                                           Timestamp through) override;
  [[nodiscard]] Result<bool> fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                                       const std::string& error) override;
  [[nodiscard]] Status put_async_result(const AsyncResult& r) override;
  [[nodiscard]] Result<std::optional<AsyncResult>> get_async_result(std::string_view result_id) override;
  [[nodiscard]] Result<std::vector<AsyncResult>> claim_async_work(const ClaimLease& lease, std::size_t max) override;
  [[nodiscard]] Result<bool> release_async_result(const AsyncResult& r, const std::string& worker) override;
  [[nodiscard]] Result<uint64_t> expire_async_results(Timestamp cutoff) override;
  [[nodiscard]] Result<SourceAppend> append_from_source(const std::vector<std::string>& collections,
                                                        const std::vector<NewBlock>& blocks,
                                                        const SourceMark& mark) override;

  // --- Accounts (issue #7); sqlite_accounts.cpp -----------------------------------------------
  [[nodiscard]] Status put_account(const Account& a) override;
  [[nodiscard]] Result<std::optional<Account>> get_account(std::string_view username) override;
  [[nodiscard]] Result<bool> delete_account(std::string_view username) override;
  [[nodiscard]] Result<std::vector<Account>> list_accounts() override;

 private:
  class ReadLease;
  SqliteStore(std::string path, Options options);

  // append() inside an open write transaction (write_mu_ held); throws Poco exceptions.
  Result<std::vector<std::vector<Timestamp>>> append_locked(const std::vector<std::string>& collections,
                                                            const std::vector<NewBlock>& blocks);

  // True if `select` (one row, one integer column; `params` bound in order) yields a non-zero
  // value on a reader session. The claims ask it first so that an empty outbox costs a read,
  // never the write lock (sqlite_subscriptions.cpp). Throws Poco exceptions.
  bool any_on_reader(const std::string& select, const std::vector<int64_t>& params);

  std::unique_ptr<Poco::Data::Session> open_session(bool read_only) const;
  void migrate();  // throws; called by open()
  void release_reader(std::unique_ptr<Poco::Data::Session> s);

  const std::string path_;
  const Options options_;
  const bool in_memory_;

  std::mutex write_mu_;  // guards writer_ (and, in memory, every use of it)
  std::unique_ptr<Poco::Data::Session> writer_;
  // The append path's statements on writer_'s connection (guarded by write_mu_); declared
  // after writer_, so they are finalized before it closes.
  std::unique_ptr<detail::SqlitePrepared> prepared_;
  // Checkpoints writer_'s WAL off the append path (file databases only); destroyed first.
  std::unique_ptr<detail::SqliteCheckpointer> checkpointer_;

  // Group commit of append() (sqlite_group_commit.cpp): queued appends, and whether a
  // leader is running a group.
  struct PendingAppend;
  void run_group(const std::vector<PendingAppend*>& batch);
  std::mutex group_mu_;
  std::condition_variable group_cv_;
  std::vector<PendingAppend*> group_queue_;
  bool group_leader_ = false;

  std::mutex pool_mu_;  // guards idle_readers_
  std::vector<std::unique_ptr<Poco::Data::Session>> idle_readers_;
};

}  // namespace taxii::storage
