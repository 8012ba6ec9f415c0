// SqliteStore: the embedded default Store, one SQLite database file (or a private in-memory
// database) accessed through Poco::Data's SQLite connector. What both SQL backends share is in
// SqlStore (storage/sql/sql_store.hpp); this is SQLite's side of its seam.
//
// Durability: WAL journal with synchronous=FULL, so an append that returned ok survives kill -9
// and power loss. Writes run under the database write lock (BEGIN IMMEDIATE), so labels are
// computed from the stored maximum: correct across restarts and with several processes on one
// file. Concurrent appends share one transaction and one fsync (group commit, each in its own
// savepoint; sqlite_group_commit.cpp); the append and scan statements use SQLite's own API
// (sqlite_prepared.hpp); the WAL is checkpointed off the append path (sqlite_checkpointer.hpp).
//
// Concurrency: thread-safe. Writes go through one writer session, one at a time (a mutex);
// reads use a small pool of read-only sessions, which WAL lets run alongside the writer. An
// in-memory database has a single session, shared by reads and writes.
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

#include "storage/sql/sql_store.hpp"

namespace taxii::storage {

namespace detail {
class SqliteCheckpointer;
class SqlitePrepared;
}  // namespace detail

struct SqliteOptions : SqlOptions {
  // How long a statement waits for a lock held by another connection or process.
  int busy_timeout_ms = 10000;
  // Idle read sessions kept open; more are opened on demand and closed after use.
  std::size_t max_idle_readers = 4;
};

class SqliteStore final : public SqlStore {
 public:
  using Options = SqliteOptions;

  // Opens (creating if missing) the database at `path`, or a private in-memory database for
  // ":memory:", and applies the embedded migrations newer than its schema_version.
  // Fails with Failure (message names the path; details in the log).
  [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, Options options = {});
  ~SqliteStore() override;

  // Group commit (sqlite_group_commit.cpp): concurrent appends share one transaction.
  [[nodiscard]] Result<Labels> append(const std::vector<std::string>& collections,
                                      const std::vector<NewBlock>& blocks) override;

 private:
  class ReadLease;
  struct PendingAppend;
  SqliteStore(std::string path, Options options);

  Status lend(Access access, const std::function<Status(Session&)>& fn) override;
  // REQUIRES: write_mu_ held, a write transaction open on writer_ (= s).
  Result<Labels> append_in(Session& s, const std::vector<std::string>& collections,
                           const std::vector<NewBlock>& blocks) override;
  std::size_t fetch(Batch& b, std::vector<StoredBlock>& out) override;
  // Asks a reader, so that an empty outbox costs a read, never the write lock.
  bool worth_claiming(const std::string& exists_sql, const std::vector<int64_t>& params) override;

  std::unique_ptr<Session> open_session(bool read_only) const;
  void run_group(const std::vector<PendingAppend*>& batch);  // sqlite_group_commit.cpp

  const std::string path_;
  const Options options_;
  const bool in_memory_;

  std::mutex write_mu_;  // guards writer_ (and, in memory, every use of it)
  std::unique_ptr<Session> writer_;
  // The append path's statements on writer_'s connection (guarded by write_mu_); declared
  // after writer_, so they are finalized before it closes.
  std::unique_ptr<detail::SqlitePrepared> prepared_;
  // Checkpoints writer_'s WAL off the append path (file databases only); destroyed first.
  std::unique_ptr<detail::SqliteCheckpointer> checkpointer_;

  // Group commit of append(): queued appends, and whether a leader is running a group.
  std::mutex group_mu_;
  std::condition_variable group_cv_;
  std::vector<PendingAppend*> group_queue_;
  bool group_leader_ = false;

  std::mutex pool_mu_;  // guards idle_readers_
  std::vector<std::unique_ptr<Session>> idle_readers_;
};

}  // namespace taxii::storage
