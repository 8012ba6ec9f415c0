// SqlStore: the Store as both SQL backends keep it, written once over a small dialect seam.
// SqliteStore (storage/sqlite/) and PostgresStore (storage/postgres/) derive from it and supply
// the seam; everything else is here: collections, counts and facts, the keyset loop of scan(),
// result sets (sql_store.cpp), subscriptions, the push outbox, asynchronous results and inbox
// source marks (sql_subscriptions.cpp), accounts (sql_accounts.cpp), the migration runner
// (migrations.hpp) and the converters between Store values and columns (rows.hpp).
//
// Statements are written once with `?` placeholders; sql() renders them in the backend's form
// (param(n): `?` for SQLite, `$n` for PostgreSQL), each `?` bound in the order it appears.
//
// The seam (protected; what really differs between the databases):
// - lend(access, fn), behind read(fn), write(fn), transaction(fn): a Poco::Data::Session to run
//   statements on: a reader (SQLite: a pooled read-only connection), the writer (SQLite: the one
//   writer connection, one caller at a time; PostgreSQL: a pooled connection either way), or one
//   write transaction (SQLite: BEGIN IMMEDIATE, the database write lock; PostgreSQL: BEGIN plus
//   the row locks the statements take), committed when fn returns ok, rolled back otherwise.
// - Dialect: what the SQL text spells differently (param(n), bytes_param(), lock_clause()).
// - append() and append_in(): labels under the database write lock with group commit (SQLite)
//   or under the collections' row locks (PostgreSQL); fetch(): one keyset page of scan()
//   (SQLite's own API row by row; libpq with a server-side byte bound).
// - worth_claiming(): SQLite first asks a reader whether a claim would find anything, so that an
//   idle outbox never takes the write lock; PostgreSQL claims with FOR UPDATE SKIP LOCKED.
//
// Thread-safe as the seam is (both backends' are). Errors as store.hpp says: every exception
// thrown by Poco, SQLite or libpq is caught here or in the backend (adapter_guard.hpp) and
// answered with a neutral Failure, the details in the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/store.hpp"

namespace Poco::Data {
class Session;
class Statement;
}  // namespace Poco::Data

namespace taxii::storage {

namespace detail {
struct MigrationSteps;
}

// What the options of every SQL store hold.
struct SqlOptions {
  // Source of "now" for labels and volume_last_day. Tests inject a fixed clock.
  std::function<Timestamp()> clock = &Timestamp::now;
};

class SqlStore : public Store {
 public:
  using Clock = std::function<Timestamp()>;
  using Session = Poco::Data::Session;
  using Labels = std::vector<std::vector<Timestamp>>;

  ~SqlStore() override;
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  // One transaction: append_in(). SqliteStore groups concurrent appends into one instead.
  [[nodiscard]] Result<Labels> append(const std::vector<std::string>& collections,
                                      const std::vector<NewBlock>& blocks) override;
  [[nodiscard]] Status ensure_collection(std::string_view name) override;
  [[nodiscard]] Result<bool> has_collection(std::string_view name) override;
  [[nodiscard]] Status scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) override;
  [[nodiscard]] Result<uint64_t> count(const ScanQuery& q) override;
  [[nodiscard]] Result<std::optional<Timestamp>> latest_label(std::string_view collection) override;
  [[nodiscard]] Result<uint64_t> volume_last_day(std::string_view collection) override;
  [[nodiscard]] Status put_result_set(const ResultSet& rs) override;
  [[nodiscard]] Result<std::optional<ResultSet>> get_result_set(std::string_view result_id) override;
  [[nodiscard]] Status put_result_part(std::string_view result_id, const ResultPart& p) override;
  [[nodiscard]] Result<std::optional<ResultPart>> get_result_part(std::string_view result_id,
                                                                  uint64_t part_number) override;
  [[nodiscard]] Result<uint64_t> expire_result_sets(Timestamp cutoff) override;

  // The schema version of the database (the highest migration applied).
  [[nodiscard]] Result<int64_t> schema_version();

  // --- Subscriptions and push outbox (issue #6); sql_subscriptions.cpp ----------------------
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

  // --- Accounts (issue #7) and their API tokens; sql_accounts.cpp ------------------------------
  [[nodiscard]] Status put_account(const Account& a) override;
  [[nodiscard]] Result<std::optional<Account>> get_account(std::string_view username) override;
  [[nodiscard]] Result<bool> delete_account(std::string_view username) override;
  [[nodiscard]] Result<std::vector<Account>> list_accounts() override;
  [[nodiscard]] Status put_token(const Token& t) override;
  [[nodiscard]] Result<std::optional<Token>> find_token(std::string_view hash) override;
  [[nodiscard]] Result<std::vector<Token>> list_tokens(std::string_view username) override;
  [[nodiscard]] Result<bool> delete_token(std::string_view id) override;

  // --- TAXII 2.1 objects and status resources (issue #22); sql_objects.cpp -------------------
  [[nodiscard]] Status ensure_object_collection(std::string_view collection_id) override;
  [[nodiscard]] Result<std::vector<AddOutcome>> add_objects(std::string_view collection_id,
                                                            const std::vector<NewObject>& objects) override;
  [[nodiscard]] Status scan_objects(const ObjectQuery& q, const std::function<bool(StoredObject&)>& fn) override;
  [[nodiscard]] Result<uint64_t> delete_objects(const ObjectQuery& q) override;
  [[nodiscard]] Result<std::optional<std::pair<Timestamp, Timestamp>>> added_range(
      std::string_view collection_id) override;
  [[nodiscard]] Status put_status(const StatusRecord& s) override;
  [[nodiscard]] Result<std::optional<StatusRecord>> get_status(std::string_view id) override;
  [[nodiscard]] Result<uint64_t> expire_statuses(Timestamp cutoff) override;

 protected:
  // What the SQL text spells differently.
  struct Dialect {
    bool numbered = false;  // placeholders $1, $2, ... (PostgreSQL), not ? (SQLite)
    // A bytes parameter that stores an empty value as empty (Poco binds an empty BLOB as NULL).
    std::string bytes_param;
    // SELECTs in transaction() lock the rows they read (FOR UPDATE [OF t] [SKIP LOCKED]);
    // false where the transaction holds the whole database (SQLite).
    bool row_locks = false;
  };
  SqlStore(Clock clock, Dialect dialect);

  // One keyset page of scan(): blocks of a collection with label in (after, until], matching
  // the binding filter, at most `want` of them and about kBytes of content (at least one).
  struct Batch {
    static constexpr std::size_t kRows = 500;
    static constexpr std::size_t kBytes = std::size_t{4} << 20;
    std::string sql;  // the page statement, rendered (fetch() builds it on the first page)
    std::string filter_sql;  // the binding filter's part of the WHERE clause (with ?)
    std::vector<std::string> filter;  // the filter's parameters, in order
    const std::string* collection = nullptr;
    int64_t collection_id = 0;
    int64_t after = 0;
    int64_t until = 0;
    int64_t want = 0;
  };

  // --- The dialect seam. Everything may throw the library's exceptions. ---------------------
  // How a session is lent to fn: to read (may run beside writes), to write (each statement
  // commits), or for one write transaction (committed when fn returns ok, rolled back
  // otherwise). Returns what fn returned.
  enum class Access { Read, Write, Transaction };
  virtual Status lend(Access access, const std::function<Status(Session&)>& fn) = 0;
  // append() inside a transaction's session (labels as store.hpp says).
  virtual Result<Labels> append_in(Session& s, const std::vector<std::string>& collections,
                                   const std::vector<NewBlock>& blocks) = 0;
  // Reads one page of scan() into `out` (empty on entry); returns the content bytes read. The
  // page statement (parameters: collection id, after, until, the filter's, want, then the
  // backend's own) is built into b.sql on the first page.
  virtual std::size_t fetch(Batch& b, std::vector<StoredBlock>& out) = 0;
  // Whether `exists_sql` (rendered; one row, one integer; `params` bound in order) says a claim
  // would find work. The default does not ask.
  virtual bool worth_claiming(const std::string& exists_sql, const std::vector<int64_t>& params);

  // --- For the backends -------------------------------------------------------------------------
  void read(const std::function<void(Session&)>& fn);
  void write(const std::function<void(Session&)>& fn);
  Status transaction(const std::function<Status(Session&)>& fn) { return lend(Access::Transaction, fn); }
  std::string param(std::size_t n) const;  // the n-th (from 1) placeholder: ? or $n
  const std::string& bytes_param() const { return dialect_.bytes_param; }
  // Appended to a SELECT inside transaction(): lock the rows read (of table alias `of`, or all),
  // skipping rows another transaction holds when skip_locked; "" without row locks.
  std::string lock_clause(std::string_view of, bool skip_locked) const;
  // Runs `text` (rendered) on write() with what `bind` binds; returns the rows it changed.
  std::size_t changed(std::string_view text, const std::function<void(Poco::Data::Statement&)>& bind);
  // How a backend begins, commits and rolls back a transaction on its session.
  struct TransactionVerbs {
    std::function<void()> begin, commit, rollback;
  };
  // Runs fn between begin and commit (when fn returns ok) or rollback (otherwise, or when fn
  // throws; the exception goes on, a rollback that fails too is only logged).
  static Status within(const TransactionVerbs& verbs, Session& s, const std::function<Status(Session&)>& fn);
  // Applies the pending migrations (migrations.hpp) in one transaction(); steps.insert_version
  // and steps.now_micros are filled in here. Fails with the reason.
  Status migrate(detail::MigrationSteps steps);
  // `text` with each `?` rendered by param(1), param(2), ... (outside quoted literals).
  std::string sql(std::string_view text) const;
  // Runs read(fn) and returns what fn returned.
  template <class F>
  auto reading(F&& fn) -> decltype(fn(std::declval<Session&>())) {
    std::optional<decltype(fn(std::declval<Session&>()))> out;
    read([&](Session& s) { out.emplace(fn(s)); });
    return std::move(*out);
  }
  // The id of a collection, or nullopt.
  std::optional<int64_t> collection_id(Session& s, std::string_view name) const;

  const Clock clock_;
  const Dialect dialect_;

 private:
  struct ObjectOps;  // the ObjectStore methods' helpers (sql_objects.cpp)
};

}  // namespace taxii::storage
