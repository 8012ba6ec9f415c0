#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <utility>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include "schemas/embedded.hpp"
#include "storage/adapter_guard.hpp"
#include "storage/sql/migrations.hpp"
#include "storage/sqlite/sqlite_checkpointer.hpp"
#include "storage/sqlite/sqlite_prepared.hpp"

namespace taxii::storage {
namespace {

using Poco::Int64;
using Poco::Data::Statement;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

}  // namespace

// A session to read with: a pooled read-only session of a file database, or the single
// session of an in-memory one (held under write_mu_ for the lease's lifetime).
class SqliteStore::ReadLease {
 public:
  explicit ReadLease(SqliteStore& store) : store_(store) {
    if (store_.in_memory_) {
      lock_ = std::unique_lock<std::mutex>(store_.write_mu_);
      session_ = store_.writer_.get();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(store_.pool_mu_);
      if (!store_.idle_readers_.empty()) {
        own_ = std::move(store_.idle_readers_.back());
        store_.idle_readers_.pop_back();
      }
    }
    if (!own_) own_ = store_.open_session(/*read_only=*/true);
    session_ = own_.get();
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  ~ReadLease() {
    if (!own_) return;
    std::lock_guard<std::mutex> lock(store_.pool_mu_);
    if (store_.idle_readers_.size() < store_.options_.max_idle_readers)
      store_.idle_readers_.push_back(std::move(own_));
    // else: closed here, by the unique_ptr
  }
  Session& operator*() const { return *session_; }

 private:
  SqliteStore& store_;
  std::unique_lock<std::mutex> lock_;
  std::unique_ptr<Session> own_;
  Session* session_ = nullptr;
};

SqliteStore::SqliteStore(std::string path, Options options)
    : SqlStore(options.clock, Dialect{false, "coalesce(?, X'')", false}),
      path_(std::move(path)), options_(std::move(options)), in_memory_(path_ == ":memory:") {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, Options options) {
  using R = std::unique_ptr<SqliteStore>;
  static std::once_flag registered;
  if (path.empty()) return Error::failure("SQLite store: empty database path");
  const std::string message = "could not open the SQLite store at " + path;
  return detail::guarded<R>(message, [&]() -> Result<R> {
    std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    R store(new SqliteStore(path, std::move(options)));
    store->writer_ = store->open_session(/*read_only=*/false);
    if (!store->in_memory_) {
      // Recorded in the file, so every later connection (and process) uses the WAL too.
      std::string mode;
      *store->writer_ << "PRAGMA journal_mode = WAL", into(mode), now;
      if (mode != "wal") {
        detail::log_error(message, "journal_mode is '" + mode + "', not 'wal'");
        return Error::failure(message + " (cannot use a write-ahead log there)");
      }
    }
    detail::MigrationSteps steps;
    steps.files = schemas::kFiles;
    steps.count = schemas::kFileCount;
    steps.table_exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
    steps.bytes_type = "BLOB";
    steps.exec = [](Session& s, const std::string& script) { s << script, now; };
    const Status migrated = store->migrate(std::move(steps));
    if (!migrated.ok()) return migrated.error();
    sqlite3* const writer = Poco::Data::SQLite::Utility::dbHandle(*store->writer_);
    store->prepared_ = std::make_unique<detail::SqlitePrepared>(writer);
    if (!store->in_memory_) {
      detail::SqliteCheckpointer::Options c;
      c.busy_timeout_ms = std::max(0, store->options_.busy_timeout_ms);
      store->checkpointer_ = std::make_unique<detail::SqliteCheckpointer>(writer, path, c);
    }
    return store;
  });
}

std::unique_ptr<SqlStore::Session> SqliteStore::open_session(bool read_only) const {
  // Login timeout 0: fail at once if the file cannot be opened (Poco would retry for 60 s).
  auto s = std::make_unique<Session>(Poco::Data::SQLite::Connector::KEY, path_, 0);
  // PRAGMA takes no parameters; the values are ours, not input.
  *s << "PRAGMA busy_timeout = " + std::to_string(std::max(0, options_.busy_timeout_ms)), now;
  *s << "PRAGMA foreign_keys = ON", now;
  // FULL: a commit syncs the WAL, so an acknowledged append survives power loss.
  *s << "PRAGMA synchronous = FULL", now;
  if (read_only) *s << "PRAGMA query_only = ON", now;
  return s;
}

// A write transaction begins with BEGIN IMMEDIATE: it takes the database write lock before
// anything is read, so what is computed inside (e.g. timestamp labels) sees the latest committed
// state, whatever other process writes the file.
Status SqliteStore::lend(Access access, const std::function<Status(Session&)>& fn) {
  if (access == Access::Read) {
    ReadLease s(*this);
    return fn(*s);
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  Session& s = *writer_;
  if (access == Access::Write) return fn(s);
  return within({[&] { s << "BEGIN IMMEDIATE", now; }, [&] { s << "COMMIT", now; }, [&] { s << "ROLLBACK", now; }}, s,
                fn);
}

bool SqliteStore::worth_claiming(const std::string& exists_sql, const std::vector<int64_t>& params) {
  ReadLease s(*this);
  Int64 n = 0;
  Statement st(*s);
  st << exists_sql;
  for (const int64_t p : params) st, bind(static_cast<Int64>(p));
  st, into(n), now;
  return n != 0;
}

// append(): sqlite_group_commit.cpp (concurrent appends share one commit).

Result<SqlStore::Labels> SqliteStore::append_in(Session&, const std::vector<std::string>& collections,
                                                const std::vector<NewBlock>& blocks) {
  detail::SqlitePrepared& sql = *prepared_;
  Labels out;
  out.reserve(collections.size());
  // Read inside the transaction (under the write lock), so "now" never precedes a label
  // another process has just committed.
  const int64_t now_us = clock_().micros();
  for (const std::string& name : collections) {
    int64_t cid = 0;
    {
      auto r = sql("SELECT id FROM collections WHERE name = ?");
      r.bind_text(1, name);
      if (!r.step()) return Error::not_found("collection does not exist: " + name, name);
      cid = r.int64(0);
    }
    // Services 1.1 §4.1.4: strictly increasing per collection; each block its own label.
    int64_t next = now_us;
    {
      auto r = sql("SELECT max(label) FROM content_blocks WHERE collection_id = ?");
      r.bind(1, cid);
      if (r.step() && !r.is_null(0)) next = std::max(now_us, r.int64(0) + 1);
    }
    std::vector<Timestamp>& given = out.emplace_back();
    given.reserve(blocks.size());
    if (blocks.empty()) continue;
    auto insert = sql(
        "INSERT INTO content_blocks (collection_id, label, binding_id, subtype, content, message) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, cid);
    for (const NewBlock& b : blocks) {
      insert.bind(2, next);
      insert.bind_text(3, b.binding_id);
      if (b.subtype) insert.bind_text(4, *b.subtype);
      else insert.bind_null(4);
      insert.bind_blob(5, b.content);  // stored byte for byte; empty is the empty blob
      if (b.message) insert.bind_text(6, *b.message);
      else insert.bind_null(6);
      insert.done();
      insert.again();
      given.push_back(Timestamp::from_micros(next));
      ++next;
    }
  }
  return out;
}

std::size_t SqliteStore::fetch(Batch& b, std::vector<StoredBlock>& out) {
  if (b.sql.empty())
    b.sql = "SELECT id, label, binding_id, subtype, content, message FROM content_blocks "
            "WHERE collection_id = ? AND label > ? AND label <= ?" +
            b.filter_sql + " ORDER BY label LIMIT ?";
  // Straight on the reader's connection: Poco::Data executes a statement row by row here
  // (limit(1)) and hands the content over in a BLOB that is then copied again; this reads each
  // row's columns once, into the block (docs/bench.md, "Session 7").
  ReadLease s(*this);
  detail::SqlitePrepared prepared(Poco::Data::SQLite::Utility::dbHandle(*s));
  auto run = prepared(b.sql);
  run.bind(1, b.collection_id).bind(2, b.after).bind(3, b.until);
  int k = 4;
  for (const std::string& p : b.filter) run.bind_text(k++, p);
  run.bind(k, b.want);
  std::size_t bytes = 0;
  while (out.size() < static_cast<std::size_t>(b.want) && bytes < Batch::kBytes && run.step()) {
    StoredBlock& block = out.emplace_back();
    block.id = run.int64(0);
    block.collection = *b.collection;
    block.label = Timestamp::from_micros(run.int64(1));
    block.binding_id = std::string(run.text(2));
    if (!run.is_null(3)) block.subtype = std::string(run.text(3));
    block.content = std::string(run.blob(4));
    if (!run.is_null(5)) block.message = std::string(run.text(5));
    bytes += block.content.size();
  }
  return bytes;
}

}  // namespace taxii::storage
