// PostgresStore: the Store shared by several taxiid instances, one PostgreSQL database
// accessed through Poco::Data's PostgreSQL connector and a pool of connections
// (Poco::Data::SessionPool). Opened by "postgresql://user:pass@host:port/db?..." (libpq
// URI; see connection_uri.hpp).
//
// Labels: append() locks the row of each named collection (SELECT ... FOR NO KEY UPDATE,
// in name order, so two appends cannot deadlock), then reads the clock and the stored
// maximum label, and holds the lock until COMMIT. So the labels of a collection are
// strictly increasing across every process using the database, AND its appends commit in
// label order: a poller that has seen label L never later finds a new block below L
// (docs/storage.md, "Why commit order matters").
//
// Durability: one transaction per append; an append returns ok only after COMMIT, which
// with the server's default synchronous_commit=on has flushed the WAL.
//
// Schema: the embedded schemas/postgres/NNN_*.sql newer than schema_version are applied at
// open, in one transaction holding an advisory lock, so instances starting together do
// not race. Options::schema places the tables in their own PostgreSQL schema.
//
// Concurrency: thread-safe. Each call leases a pooled connection for its duration; at most
// Options::max_connections per store, further callers wait (up to acquire_timeout_ms). A
// connection idle for a second or more is pinged first, so a database restart costs no
// failed call once the database is back.
// scan() fetches bounded batches (keyset pagination on the label, bounded rows and bytes)
// and calls back with no connection or transaction held, so a callback may use the store.
//
// Errors: Failure with a neutral message (no SQL, no password); the details go to
// std::cerr ("taxii storage:"). append() to a collection that does not exist fails with
// NotFound (ITEM = the name). Text columns (binding id, subtype, message) must be valid
// UTF-8 without NUL (PostgreSQL text); content and result-set requests are BYTEA, exact.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/store.hpp"

namespace Poco::Data {
class Session;
}

namespace taxii::storage {

class PostgresPool;

class PostgresStore final : public Store {
 public:
  struct Options {
    // Connections this store opens at most; callers beyond that wait for one.
    std::size_t max_connections = 16;
    // How long a caller waits for a free connection before failing.
    int acquire_timeout_ms = 30000;
    // Seconds an idle pooled connection is kept.
    int idle_seconds = 60;
    // Longest wait for a lock (e.g. a collection another instance is appending to) before
    // the call fails; 0 waits for ever. Server setting lock_timeout.
    int lock_timeout_ms = 30000;
    // The server ends a session idle inside a transaction for this long (a stalled
    // instance), releasing its locks; 0 never. Server idle_in_transaction_session_timeout.
    int idle_in_transaction_timeout_ms = 60000;
    // The PostgreSQL schema holding the tables (created if missing); empty: the
    // connection's search_path (normally "public").
    std::string schema;
    // Source of "now" for labels and volume_last_day. Tests inject a fixed clock.
    std::function<Timestamp()> clock = &Timestamp::now;
  };

  // Connects, creates or migrates the schema. Fails with Failure (the message names the
  // URI without its password; details in the log).
  [[nodiscard]] static Result<std::unique_ptr<PostgresStore>> open(const std::string& uri,
                                                                   Options options);
  [[nodiscard]] static Result<std::unique_ptr<PostgresStore>> open(const std::string& uri) {
    return open(uri, Options{});
  }

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

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

  // The schema version of the database (the highest migration applied).
  [[nodiscard]] Result<int64_t> schema_version();

  // --- Subscriptions and push outbox (issue #6); postgres_subscriptions.cpp -----------------
  // Claims use SELECT ... FOR UPDATE SKIP LOCKED plus the lease columns: instances sharing the
  // database skip rows another one is claiming and never hold one subscription at once.
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

  // --- Accounts (issue #7); postgres_accounts.cpp -----------------------------------------------
  [[nodiscard]] Status put_account(const Account& a) override;
  [[nodiscard]] Result<std::optional<Account>> get_account(std::string_view username) override;
  [[nodiscard]] Result<bool> delete_account(std::string_view username) override;
  [[nodiscard]] Result<std::vector<Account>> list_accounts() override;

 private:
  explicit PostgresStore(Options options);

  // append() inside a transaction open on s; throws Poco exceptions.
  Result<std::vector<std::vector<Timestamp>>> append_in(Poco::Data::Session& s,
                                                        const std::vector<std::string>& collections,
                                                        const std::vector<NewBlock>& blocks);

  void migrate();  // throws; called by open()

  const Options options_;
  std::unique_ptr<PostgresPool> pool_;
};

}  // namespace taxii::storage
