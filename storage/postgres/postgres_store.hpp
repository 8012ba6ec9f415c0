// PostgresStore: the Store shared by several taxiid instances, one PostgreSQL database accessed
// through Poco::Data's PostgreSQL connector and a pool of connections (connection_pool.hpp).
// Opened by "postgresql://user:pass@host:port/db?..." (libpq URI; connection_uri.hpp). What both
// SQL backends share is in SqlStore (storage/sql/sql_store.hpp); this is PostgreSQL's side of
// its seam.
//
// Labels: append() locks the row of each named collection (SELECT ... FOR NO KEY UPDATE, in
// name order, so two appends cannot deadlock), then reads the clock and the stored maximum
// label, and holds the lock until COMMIT. So the labels of a collection are strictly increasing
// across every process using the database, AND its appends commit in label order: a poller
// that has seen label L never later finds a new block below L (docs/storage.md, "Why commit
// order matters"). Claims use SELECT ... FOR UPDATE SKIP LOCKED plus the lease columns.
//
// Durability: one transaction per append; an append returns ok only after COMMIT, which with
// the server's default synchronous_commit=on has flushed the WAL.
//
// Schema: the embedded migrations newer than schema_version are applied at open, in one
// transaction holding an advisory lock, so instances starting together do not race.
// Options::schema places the tables in their own PostgreSQL schema.
//
// Concurrency: thread-safe. Each call leases a pooled connection for its duration; at most
// Options::max_connections per store, further callers wait (up to acquire_timeout_ms). scan()
// pages hold no connection while calling back, so a callback may use the store.
//
// Errors: Failure with a neutral message (no SQL, no password); the details go to std::cerr
// ("taxii storage:"). append() to a collection that does not exist fails with NotFound (ITEM =
// the name). Text columns (binding id, subtype, message) must be valid UTF-8 without NUL
// (PostgreSQL text); content and result-set requests are BYTEA, exact.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/sql/sql_store.hpp"

namespace taxii::storage {

// The pool's settings (connection_pool.hpp) and the clock.
struct PostgresOptions : PostgresPool::Settings, SqlOptions {};

class PostgresStore final : public SqlStore {
 public:
  using Options = PostgresOptions;

  // Connects, creates or migrates the schema. Fails with Failure (the message names the URI
  // without its password; details in the log).
  [[nodiscard]] static Result<std::unique_ptr<PostgresStore>> open(const std::string& uri, Options options = {});

 private:
  explicit PostgresStore(Options options);

  Status lend(Access access, const std::function<Status(Session&)>& fn) override;
  // REQUIRES: a transaction open on s; it keeps the collections' row locks until it ends.
  Result<Labels> append_in(Session& s, const std::vector<std::string>& collections,
                           const std::vector<NewBlock>& blocks) override;
  std::size_t fetch(Batch& b, std::vector<StoredBlock>& out) override;

  const Options options_;
  std::unique_ptr<PostgresPool> pool_;
};

}  // namespace taxii::storage
