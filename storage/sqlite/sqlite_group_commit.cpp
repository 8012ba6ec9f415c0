// SqliteStore::append with group commit: concurrent appends share one transaction and so one
// fsync (WAL, synchronous=FULL stays: every append that returns ok is durable).
//
// Leader/follower: a caller queues its append; if no leader is at work it becomes the leader,
// takes every queued append, runs each inside its own SAVEPOINT (an append that fails, e.g. an
// unknown collection, is rolled back alone and answered with its own error) and commits once.
// Results are published only after the COMMIT returned, so no caller hears "ok" before its
// blocks are durable; if the COMMIT fails every append of the group fails. Appends that arrive
// while a leader is committing wait and form the next group. Labels stay strictly increasing:
// the appends of a group run one after the other on the one writer session, each seeing the
// previous ones' rows (docs/storage.md).
#include <condition_variable>
#include <mutex>

#include <Poco/Exception.h>

#include "storage/adapter_guard.hpp"
#include "storage/sqlite/sqlite_prepared.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace taxii::storage {

struct SqliteStore::PendingAppend {
  const std::vector<std::string>* collections;
  const std::vector<NewBlock>* blocks;
  Result<Labels> result = Error::failure("could not store the content blocks");
  bool done = false;
};

Result<SqlStore::Labels> SqliteStore::append(const std::vector<std::string>& collections, const std::vector<NewBlock>& blocks) {
  PendingAppend me{&collections, &blocks};
  std::unique_lock<std::mutex> q(group_mu_);
  group_queue_.push_back(&me);
  while (!me.done && group_leader_) group_cv_.wait(q);
  if (me.done) return std::move(me.result);
  group_leader_ = true;
  std::vector<PendingAppend*> batch;
  batch.swap(group_queue_);  // includes me
  q.unlock();
  run_group(batch);
  q.lock();
  for (PendingAppend* p : batch) p->done = true;
  group_leader_ = false;
  q.unlock();
  group_cv_.notify_all();
  return std::move(me.result);
}

void SqliteStore::run_group(const std::vector<PendingAppend*>& batch) {
  std::vector<Result<Labels>> results;
  results.reserve(batch.size());
  const Status committed = detail::guarded<Ok>("could not store the content blocks", [&]() -> Result<Ok> {
    std::lock_guard<std::mutex> lock(write_mu_);
    detail::SqlitePrepared& sql = *prepared_;
    sql.exec("BEGIN IMMEDIATE");
    try {
      for (PendingAppend* p : batch) {
        if (batch.size() > 1) sql.exec("SAVEPOINT group_append");
        results.push_back(detail::guarded<Labels>("could not store the content blocks",
                                                  [&] { return append_in(*writer_, *p->collections, *p->blocks); }));
        if (batch.size() > 1) {
          if (!results.back().ok()) sql.exec("ROLLBACK TO group_append");
          sql.exec("RELEASE group_append");
        }
      }
      if (batch.size() == 1 && !results.back().ok()) {
        sql.exec("ROLLBACK");
        return Ok{};
      }
      sql.exec("COMMIT");
    } catch (...) {
      try {
        sql.exec("ROLLBACK");
      } catch (const Poco::Exception& e) {
        // After a failed COMMIT SQLite may have rolled back already; nothing left to do.
        detail::log_error("rollback", e.displayText());
      }
      throw;
    }
    return Ok{};
  });
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!committed.ok()) batch[i]->result = committed.error();
    else batch[i]->result = std::move(results[i]);
  }
}

}  // namespace taxii::storage
