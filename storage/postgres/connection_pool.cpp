#include "storage/postgres/connection_pool.hpp"

#include <algorithm>
#include <utility>

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/SessionHandle.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>

#include "storage/adapter_guard.hpp"

namespace taxii::storage {
namespace {

PGconn* connection_of(Poco::Data::Session& s) {
  return *Poco::AnyCast<Poco::Data::PostgreSQL::SessionHandle*>(s.getProperty("handle"));
}

// libpq prints every server notice to stderr by default. NOTICE and below ("schema already
// exists, skipping") are routine; warnings go to the log.
void on_notice(void*, const PGresult* r) {
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == nullptr || std::string_view(severity) != "WARNING") return;
  std::string text = PQresultErrorMessage(r);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  detail::log_error("database warning", text);
}

}  // namespace

std::string postgres_quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void postgres_exec(Poco::Data::Session& s, const std::string& sql) {
  auto* handle = Poco::AnyCast<Poco::Data::PostgreSQL::SessionHandle*>(s.getProperty("handle"));
  Poco::FastMutex::ScopedLock lock(handle->mutex());
  PGconn* conn = *handle;
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  const std::string error = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw Poco::DataException(error);
}

// Our settings, applied to every connection when it is opened (or reopened after a reset).
static void configure(Poco::Data::Session& s, const PostgresPool::Settings& settings) {
  auto* handle = Poco::AnyCast<Poco::Data::PostgreSQL::SessionHandle*>(s.getProperty("handle"));
  {
    Poco::FastMutex::ScopedLock lock(handle->mutex());
    PQsetNoticeReceiver(*handle, &on_notice, nullptr);
  }
  // A lock wait longer than this fails the call; a session left idle inside a transaction
  // (a stalled or partitioned instance) is ended by the server, releasing its locks.
  postgres_exec(s, "SET lock_timeout = " + std::to_string(std::max(0, settings.lock_timeout_ms)));
  postgres_exec(s, "SET idle_in_transaction_session_timeout = " +
                       std::to_string(std::max(0, settings.idle_in_transaction_timeout_ms)));
  if (!settings.schema.empty())
    postgres_exec(s, "SET search_path TO " + postgres_quote_ident(settings.schema));
}

// Poco's pool, with our settings applied to every connection it opens.
class PostgresPool::Sessions final : public Poco::Data::SessionPool {
 public:
  Sessions(const std::string& conninfo, const Settings& s)
      : SessionPool("postgresql", conninfo, 1, static_cast<int>(s.max_connections),
                    std::max(1, s.idle_seconds)),
        settings_(s) {}

 protected:
  void customizeSession(Poco::Data::Session& s) override { configure(s, settings_); }

 private:
  const Settings settings_;
};

PostgresPool::PostgresPool(const std::string& conninfo, Settings settings)
    : conninfo_(conninfo),
      settings_(std::move(settings)),
      sessions_(std::make_unique<Sessions>(conninfo, settings_)) {}

void PostgresPool::probe() const {
  // Poco's connector never frees the libpq connection of a failed connect (nor of one that
  // broke later): trying the server here first keeps an outage from leaking memory.
  PGconn* c = PQconnectdb(conninfo_.c_str());
  const bool ok = PQstatus(c) == CONNECTION_OK;
  std::string error = ok ? std::string() : PQerrorMessage(c);
  PQfinish(c);
  while (!error.empty() && error.back() == '\n') error.pop_back();
  if (!ok) throw Poco::Data::ConnectionFailedException(error);
}

PostgresPool::~PostgresPool() = default;

PostgresPool::Lease::Lease(PostgresPool& pool) : pool_(pool) {
  {
    std::unique_lock<std::mutex> lock(pool_.gate_mu_);
    const auto timeout = std::chrono::milliseconds(std::max(0, pool_.settings_.acquire_timeout_ms));
    if (!pool_.gate_cv_.wait_for(lock, timeout,
                                 [&] { return pool_.leased_ < pool_.settings_.max_connections; }))
      throw Poco::TimeoutException("no free database connection");
    ++pool_.leased_;
  }
  try {
    // A connection idle for a while may have died with a database restart or failover:
    // ping it, and take another (the pool drops the dead one) rather than fail a call.
    for (std::size_t attempt = 0;; ++attempt) {
      if (pool_.sessions_->idle() == 0) pool_.probe();  // get() would open a connection
      session_.emplace(pool_.sessions_->get());
      if (attempt > pool_.settings_.max_connections || alive()) break;
      session_.reset();
    }
  } catch (...) {
    session_.reset();
    release();
    throw;
  }
}

PostgresPool::Lease::~Lease() {
  {
    std::lock_guard<std::mutex> lock(pool_.gate_mu_);
    pool_.last_used_[connection_of(*session_)] = std::chrono::steady_clock::now();
  }
  session_.reset();  // back to the pool (or dropped, if the connection broke)
  release();
}

bool PostgresPool::Lease::alive() {
  auto* handle =
      Poco::AnyCast<Poco::Data::PostgreSQL::SessionHandle*>(session_->getProperty("handle"));
  PGconn* c = *handle;
  {
    std::lock_guard<std::mutex> lock(pool_.gate_mu_);
    const auto it = pool_.last_used_.find(c);
    // Unknown: a connection just opened.
    if (it == pool_.last_used_.end() ||
        std::chrono::steady_clock::now() - it->second < std::chrono::seconds(1))
      return true;
  }
  PGresult* r = PQexec(c, "");
  const bool ok = r != nullptr && PQresultStatus(r) == PGRES_EMPTY_QUERY;
  PQclear(r);
  if (ok) return true;
  std::string error = PQerrorMessage(c);
  while (!error.empty() && error.back() == '\n') error.pop_back();
  detail::log_error("reconnecting a broken database connection", error);
  // Reconnect in place (PQreset): a dropped session's libpq connection would never be
  // freed by the connector. If the database is down, this throws and the call fails.
  if (!handle->reset()) throw Poco::Data::ConnectionFailedException(PQerrorMessage(c));
  configure(*session_, pool_.settings_);
  return true;
}

void PostgresPool::Lease::release() {
  {
    std::lock_guard<std::mutex> lock(pool_.gate_mu_);
    --pool_.leased_;
    // Entries of connections the pool has closed are never looked up again; forget them
    // now and then (a forgotten live one merely skips its next ping).
    if (pool_.last_used_.size() > 4 * pool_.settings_.max_connections + 16)
      pool_.last_used_.clear();
  }
  pool_.gate_cv_.notify_one();
}

}  // namespace taxii::storage
