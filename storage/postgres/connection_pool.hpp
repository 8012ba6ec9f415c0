// PostgresPool: the PostgreSQL connections of one PostgresStore, and the small tools that
// work on one connection (raw SQL, quoting). Internal to storage/postgres/.
//
// A Poco::Data::SessionPool behind a gate: at most `max_connections` leases at a time,
// further callers wait (up to acquire_timeout_ms, then Poco::TimeoutException). Every new
// connection gets lock_timeout, idle_in_transaction_session_timeout, the search_path of
// `schema`, and a notice receiver (warnings to the log, routine notices dropped). A
// connection idle for a second or more is pinged before it is handed out; a dead one (a
// database restart, a failover) is reconnected in place, so no call fails for it once the
// database is back. Before the pool opens a connection, a throwaway libpq connection
// probes the server: Poco's connector leaks the libpq state of a failed connect.
//
// Thread-safe. Everything here throws Poco exceptions; PostgresStore catches them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <Poco/Data/Session.h>

struct pg_conn;

namespace taxii::storage {

// "name" -> "\"name\"" (an SQL identifier, quotes doubled).
std::string postgres_quote_ident(std::string_view name);

// Runs SQL text as it is (several statements; DDL; SET) on the session's connection.
// Poco's statements are always prepared, and a prepared statement holds one command.
void postgres_exec(Poco::Data::Session& s, const std::string& sql);

class PostgresPool {
 public:
  struct Settings {
    // Connections opened at most; callers beyond that wait for one.
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
    // The PostgreSQL schema holding the tables (created if missing by PostgresStore); empty:
    // the connection's search_path (normally "public").
    std::string schema;
  };

  // Connects lazily: the first Lease opens the first connection.
  PostgresPool(const std::string& conninfo, Settings settings);
  ~PostgresPool();
  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  // A pooled session for the duration of one call.
  class Lease {
   public:
    explicit Lease(PostgresPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Poco::Data::Session& operator*() { return *session_; }

   private:
    bool alive();
    void release();

    PostgresPool& pool_;
    std::optional<Poco::Data::Session> session_;
  };

 private:
  class Sessions;
  void probe() const;  // throws Poco::Data::ConnectionFailedException

  const std::string conninfo_;
  const Settings settings_;
  std::unique_ptr<Sessions> sessions_;

  std::mutex gate_mu_;  // guards leased_ and last_used_
  std::condition_variable gate_cv_;
  std::size_t leased_ = 0;
  // When each connection was last given back: one idle for a while is pinged before use.
  std::unordered_map<const pg_conn*, std::chrono::steady_clock::time_point> last_used_;
};

}  // namespace taxii::storage
