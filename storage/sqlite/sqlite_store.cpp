#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <iostream>
#include <limits>
#include <sstream>
#include <string_view>
#include <utility>

#include <Poco/Data/LOB.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include "storage/adapter_guard.hpp"
#include "storage/sqlite/sqlite_transaction.hpp"

#include "schemas/embedded.hpp"

namespace taxii::storage {
namespace {

using Poco::Int64;
using Poco::Nullable;
using Poco::Data::BLOB;
using Poco::Data::Session;
using Poco::Data::Statement;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::limit;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

// scan() holds at most this many blocks, or about this many content bytes (but always at
// least one block), between two queries.
constexpr std::size_t kBatchRows = 500;
constexpr std::size_t kBatchBytes = std::size_t{4} << 20;
constexpr Int64 kDayMicros = Int64{24} * 60 * 60 * 1000000;

using detail::guarded;
using detail::log_error;

using WriteTransaction = detail::SqliteWriteTransaction;

BLOB to_blob(const std::string& s) {
  return BLOB(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string from_blob(const BLOB& b) {
  if (b.size() == 0) return {};
  return std::string(reinterpret_cast<const char*>(b.rawContent()), b.size());
}

Nullable<Int64> to_nullable(const std::optional<Timestamp>& t) {
  return t ? Nullable<Int64>(t->micros()) : Nullable<Int64>();
}

std::optional<Timestamp> from_nullable(const Nullable<Int64>& t) {
  if (t.isNull()) return std::nullopt;
  return Timestamp::from_micros(t.value());
}

// The part of a content_blocks WHERE clause that the binding filter adds, built from the
// filter's shape only (every value is a bound parameter).
// Services 1.1 §3.6.1 / §4.5: an entry without subtypes accepts every subtype and none.
struct BindingClause {
  std::string sql;
  std::vector<std::string> params;
};

BindingClause binding_clause(const std::vector<BindingFilter>& filters) {
  BindingClause c;
  if (filters.empty()) return c;
  c.sql = " AND (";
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const BindingFilter& f = filters[i];
    if (i > 0) c.sql += " OR ";
    c.params.push_back(f.binding_id);
    if (f.subtypes.empty()) {
      c.sql += "binding_id = ?";
      continue;
    }
    c.sql += "(binding_id = ? AND subtype IN (";
    for (std::size_t j = 0; j < f.subtypes.size(); ++j) {
      c.sql += j == 0 ? "?" : ", ?";
      c.params.push_back(f.subtypes[j]);
    }
    c.sql += "))";
  }
  c.sql += ")";
  return c;
}

// The id of a collection, or null.
Nullable<Int64> collection_id(Session& s, std::string_view name) {
  Nullable<Int64> id;
  std::string n(name);
  s << "SELECT id FROM collections WHERE name = ?", use(n), into(id), now;
  return id;
}

struct Migration {
  int64_t version = 0;
  std::string_view name;
  std::string_view sql;
};

// The embedded migrations in version order. Their names are "<version>_<what>.sql".
std::vector<Migration> migrations() {
  std::vector<Migration> out;
  for (std::size_t i = 0; i < schemas::kFileCount; ++i) {
    const schemas::EmbeddedFile& f = schemas::kFiles[i];
    const std::string_view name = f.name;
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    if (digits == 0 || digits > 9 || digits == name.size() || name[digits] != '_')
      throw Poco::DataException("embedded schema file without a version prefix: " +
                                std::string(name));
    out.push_back({std::stoll(std::string(name.substr(0, digits))), name, {f.data, f.size}});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw Poco::DataException("two embedded schema files with version " +
                                std::to_string(out[i].version));
  return out;
}

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
    if (own_) store_.release_reader(std::move(own_));
  }
  Session& operator*() const { return *session_; }

 private:
  SqliteStore& store_;
  std::unique_lock<std::mutex> lock_;
  std::unique_ptr<Session> own_;
  Session* session_ = nullptr;
};

SqliteStore::SqliteStore(std::string path, Options options)
    : path_(std::move(path)), options_(std::move(options)), in_memory_(path_ == ":memory:") {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, Options options) {
  static std::once_flag registered;
  const std::string message = "could not open the SQLite store at " + path;
  if (path.empty()) return Error::failure("SQLite store: empty database path");
  if (!options.clock) options.clock = &Timestamp::now;
  try {
    std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    std::unique_ptr<SqliteStore> store(new SqliteStore(path, std::move(options)));
    store->writer_ = store->open_session(/*read_only=*/false);
    if (!store->in_memory_) {
      // Recorded in the file, so every later connection (and process) uses the WAL too.
      std::string mode;
      *store->writer_ << "PRAGMA journal_mode = WAL", into(mode), now;
      if (mode != "wal") {
        log_error(message, "journal_mode is '" + mode + "', not 'wal'");
        return Error::failure(message + " (cannot use a write-ahead log there)");
      }
    }
    store->migrate();
    sqlite3* const writer = Poco::Data::SQLite::Utility::dbHandle(*store->writer_);
    store->prepared_ = std::make_unique<detail::SqlitePrepared>(writer);
    if (!store->in_memory_) {
      detail::SqliteCheckpointer::Options c;
      c.busy_timeout_ms = std::max(0, store->options_.busy_timeout_ms);
      store->checkpointer_ = std::make_unique<detail::SqliteCheckpointer>(writer, path, c);
    }
    return store;
  } catch (const Poco::Exception& e) {
    log_error(message, e.displayText());
  } catch (const std::exception& e) {
    log_error(message, e.what());
  }
  return Error::failure(message);
}

std::unique_ptr<Session> SqliteStore::open_session(bool read_only) const {
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

void SqliteStore::release_reader(std::unique_ptr<Session> s) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (idle_readers_.size() < options_.max_idle_readers) idle_readers_.push_back(std::move(s));
  // else: closed here, by the unique_ptr
}

void SqliteStore::migrate() {
  const std::vector<Migration> all = migrations();
  const int64_t newest = all.empty() ? 0 : all.back().version;

  std::lock_guard<std::mutex> lock(write_mu_);
  WriteTransaction tx(*writer_);
  Int64 has_table = 0;
  *writer_ << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
      into(has_table), now;
  Int64 current = 0;
  if (has_table != 0)
    *writer_ << "SELECT coalesce(max(version), 0) FROM schema_version", into(current), now;
  if (current > newest)
    throw Poco::DataException("database schema version " + std::to_string(current) +
                              " is newer than this program's (" + std::to_string(newest) + ")");
  for (const Migration& m : all) {
    if (m.version <= current) continue;
    *writer_ << std::string(m.sql), now;
    Int64 version = m.version;
    Int64 at = options_.clock().micros();
    *writer_ << "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", use(version),
        use(at), now;
  }
  tx.commit();
}

Result<int64_t> SqliteStore::schema_version() {
  return guarded<int64_t>("could not read the schema version", [&]() -> Result<int64_t> {
    ReadLease s(*this);
    Int64 v = 0;
    *s << "SELECT coalesce(max(version), 0) FROM schema_version", into(v), now;
    return static_cast<int64_t>(v);
  });
}

Status SqliteStore::ensure_collection(std::string_view name) {
  return guarded<Ok>("could not create the collection", [&]() -> Status {
    std::string n(name);
    Int64 at = options_.clock().micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    *writer_ << "INSERT INTO collections (name, created_at) VALUES (?, ?) "
                "ON CONFLICT (name) DO NOTHING",
        use(n), use(at), now;
    return ok_status();
  });
}

bool SqliteStore::any_on_reader(const std::string& select, const std::vector<int64_t>& params) {
  ReadLease s(*this);
  Int64 n = 0;
  Statement st(*s);
  st << select;
  for (const int64_t p : params) st, bind(static_cast<Int64>(p));
  st, into(n), now;
  return n != 0;
}

Result<bool> SqliteStore::has_collection(std::string_view name) {
  return guarded<bool>("could not look up the collection", [&]() -> Result<bool> {
    ReadLease s(*this);
    return !collection_id(*s, name).isNull();
  });
}

// append(): sqlite_group_commit.cpp (concurrent appends share one commit).

// REQUIRES: write_mu_ held and a write transaction open on writer_ (the labels are computed
// from what is committed under the database write lock). Throws Poco exceptions.
Result<std::vector<std::vector<Timestamp>>> SqliteStore::append_locked(
    const std::vector<std::string>& collections, const std::vector<NewBlock>& blocks) {
  using Labels = std::vector<std::vector<Timestamp>>;
  detail::SqlitePrepared& sql = *prepared_;
  Labels out;
  out.reserve(collections.size());
  // Read inside the transaction (under the write lock), so "now" never precedes a label
  // another process has just committed.
  const int64_t now_us = options_.clock().micros();
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

Status SqliteStore::scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) {
  return guarded<Ok>("could not read the content blocks", [&]() -> Status {
    const BindingClause filter = binding_clause(q.bindings);
    const std::string sql =
        "SELECT id, label, binding_id, subtype, content, message FROM content_blocks "
        "WHERE collection_id = ? AND label > ? AND label <= ?" +
        filter.sql + " ORDER BY label LIMIT ?";
    Int64 cid = 0;
    {
      ReadLease s(*this);
      const Nullable<Int64> id = collection_id(*s, q.collection);
      if (id.isNull()) return ok_status();  // an unknown collection holds nothing
      cid = id.value();
    }
    // Keyset pagination: each batch is a fresh query after the last label seen, so no
    // read transaction stays open while the callback runs, and memory stays bounded.
    Int64 cursor = q.after ? q.after->micros() : std::numeric_limits<Int64>::min();
    Int64 until = q.until ? q.until->micros() : std::numeric_limits<Int64>::max();
    uint64_t remaining = q.limit == 0 ? std::numeric_limits<uint64_t>::max() : q.limit;
    std::vector<StoredBlock> batch;
    while (remaining > 0) {
      batch.clear();
      Int64 want = static_cast<Int64>(std::min<uint64_t>(kBatchRows, remaining));
      bool exhausted = false;
      {
        // Straight on the reader's connection: Poco::Data executes a statement row by row
        // here (limit(1)) and hands the content over in a BLOB that is then copied again;
        // this reads each row's columns once, into the block (docs/bench.md, "Session 7").
        ReadLease s(*this);
        detail::SqlitePrepared prepared(Poco::Data::SQLite::Utility::dbHandle(*s));
        auto run = prepared(sql);
        run.bind(1, cid).bind(2, cursor).bind(3, until);
        int k = 4;
        for (const std::string& p : filter.params) run.bind_text(k++, p);
        run.bind(k, want);
        std::size_t bytes = 0;
        while (batch.size() < static_cast<std::size_t>(want) && bytes < kBatchBytes) {
          if (!run.step()) {
            exhausted = true;
            break;
          }
          StoredBlock& b = batch.emplace_back();
          b.id = run.int64(0);
          b.collection = q.collection;
          b.label = Timestamp::from_micros(run.int64(1));
          b.binding_id = std::string(run.text(2));
          if (!run.is_null(3)) b.subtype = std::string(run.text(3));
          b.content = std::string(run.blob(4));
          if (!run.is_null(5)) b.message = std::string(run.text(5));
          bytes += b.content.size();
        }
        if (batch.size() < static_cast<std::size_t>(want) && bytes < kBatchBytes) exhausted = true;
      }
      if (batch.empty()) break;
      cursor = batch.back().label.micros();  // before fn may move fields away
      for (StoredBlock& b : batch)
        if (!fn(b)) return ok_status();
      if (exhausted) break;
      remaining -= batch.size();
    }
    return ok_status();
  });
}

Result<uint64_t> SqliteStore::count(const ScanQuery& q) {
  return guarded<uint64_t>("could not count the content blocks", [&]() -> Result<uint64_t> {
    const BindingClause filter = binding_clause(q.bindings);
    ReadLease s(*this);
    const Nullable<Int64> id = collection_id(*s, q.collection);
    if (id.isNull()) return uint64_t{0};
    Int64 cid = id.value();
    Int64 after = q.after ? q.after->micros() : std::numeric_limits<Int64>::min();
    Int64 until = q.until ? q.until->micros() : std::numeric_limits<Int64>::max();
    // LIMIT -1 is no limit in SQLite.
    Int64 lim = q.limit == 0
                    ? -1
                    : static_cast<Int64>(std::min<uint64_t>(
                          q.limit, static_cast<uint64_t>(std::numeric_limits<Int64>::max())));
    Int64 n = 0;
    Statement st(*s);
    st << "SELECT count(*) FROM (SELECT 1 FROM content_blocks "
          "WHERE collection_id = ? AND label > ? AND label <= ?" +
              filter.sql + " LIMIT ?)",
        use(cid), use(after), use(until);
    for (const std::string& p : filter.params) st, bind(p);
    st, use(lim), into(n);
    st.execute();
    return static_cast<uint64_t>(n);
  });
}

Result<std::optional<Timestamp>> SqliteStore::latest_label(std::string_view collection) {
  using R = std::optional<Timestamp>;
  return guarded<R>("could not read the latest label", [&]() -> Result<R> {
    ReadLease s(*this);
    const Nullable<Int64> id = collection_id(*s, collection);
    if (id.isNull()) return R{};
    Int64 cid = id.value();
    Nullable<Int64> last;
    *s << "SELECT max(label) FROM content_blocks WHERE collection_id = ?", use(cid), into(last),
        now;
    return from_nullable(last);
  });
}

Result<uint64_t> SqliteStore::volume_last_day(std::string_view collection) {
  return guarded<uint64_t>("could not count the collection volume", [&]() -> Result<uint64_t> {
    ReadLease s(*this);
    const Nullable<Int64> id = collection_id(*s, collection);
    if (id.isNull()) return uint64_t{0};
    Int64 cid = id.value();
    // Labels are arrival times (or just after, in a burst), so this is an index range.
    Int64 since = options_.clock().micros() - kDayMicros;
    Int64 n = 0;
    *s << "SELECT count(*) FROM content_blocks WHERE collection_id = ? AND label > ?", use(cid),
        use(since), into(n), now;
    return static_cast<uint64_t>(n);
  });
}

Status SqliteStore::put_result_set(const ResultSet& rs) {
  return guarded<Ok>("could not store the result set", [&]() -> Status {
    std::string result_id = rs.result_id;
    std::string collection = rs.collection;
    BLOB request = to_blob(rs.request);
    Int64 total = static_cast<Int64>(rs.total_count);
    Int64 part_size = static_cast<Int64>(rs.part_size);
    Nullable<Int64> after = to_nullable(rs.after);
    Nullable<Int64> until = to_nullable(rs.until);
    Int64 created = rs.created.micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    *writer_ << "INSERT INTO result_sets (result_id, collection, request, total_count, part_size, "
                "after_label, until_label, created_at) "
                "VALUES (?, ?, coalesce(?, X''), ?, ?, ?, ?, ?) "
                "ON CONFLICT (result_id) DO UPDATE SET collection = excluded.collection, "
                "request = excluded.request, total_count = excluded.total_count, "
                "part_size = excluded.part_size, after_label = excluded.after_label, "
                "until_label = excluded.until_label, created_at = excluded.created_at",
        use(result_id), use(collection), use(request), use(total), use(part_size), use(after),
        use(until), use(created), now;
    return ok_status();
  });
}

Result<std::optional<ResultSet>> SqliteStore::get_result_set(std::string_view result_id) {
  using R = std::optional<ResultSet>;
  return guarded<R>("could not read the result set", [&]() -> Result<R> {
    std::string rid(result_id);
    std::string collection;
    BLOB request;
    Int64 total = 0;
    Int64 part_size = 0;
    Nullable<Int64> after;
    Nullable<Int64> until;
    Int64 created = 0;
    ReadLease s(*this);
    Statement st(*s);
    st << "SELECT collection, request, total_count, part_size, after_label, until_label, "
          "created_at FROM result_sets WHERE result_id = ?",
        use(rid), into(collection), into(request), into(total), into(part_size), into(after),
        into(until), into(created);
    if (st.execute() == 0) return R{};
    ResultSet rs;
    rs.result_id = rid;
    rs.collection = collection;
    rs.request = from_blob(request);
    rs.total_count = static_cast<uint64_t>(total);
    rs.part_size = static_cast<uint64_t>(part_size);
    rs.after = from_nullable(after);
    rs.until = from_nullable(until);
    rs.created = Timestamp::from_micros(created);
    return R{std::move(rs)};
  });
}

Status SqliteStore::put_result_part(std::string_view result_id, const ResultPart& p) {
  return guarded<Ok>("could not store the result part", [&]() -> Status {
    std::string rid(result_id);
    Int64 number = static_cast<Int64>(p.part_number);
    Nullable<Int64> after = to_nullable(p.after);
    Nullable<Int64> last = to_nullable(p.last_label);
    std::lock_guard<std::mutex> lock(write_mu_);
    *writer_ << "INSERT INTO result_parts (result_id, part_number, after_label, last_label) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (result_id, part_number) DO UPDATE SET "
                "after_label = excluded.after_label, last_label = excluded.last_label",
        use(rid), use(number), use(after), use(last), now;
    return ok_status();
  });
}

Result<std::optional<ResultPart>> SqliteStore::get_result_part(std::string_view result_id,
                                                               uint64_t part_number) {
  using R = std::optional<ResultPart>;
  return guarded<R>("could not read the result part", [&]() -> Result<R> {
    std::string rid(result_id);
    Int64 number = static_cast<Int64>(part_number);
    Nullable<Int64> after;
    Nullable<Int64> last;
    ReadLease s(*this);
    Statement st(*s);
    st << "SELECT after_label, last_label FROM result_parts "
          "WHERE result_id = ? AND part_number = ?",
        use(rid), use(number), into(after), into(last);
    if (st.execute() == 0) return R{};
    ResultPart part;
    part.part_number = part_number;
    part.after = from_nullable(after);
    part.last_label = from_nullable(last);
    return R{part};
  });
}

Result<uint64_t> SqliteStore::expire_result_sets(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire result sets", [&]() -> Result<uint64_t> {
    Int64 before = cutoff.micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    // Their parts go too (ON DELETE CASCADE).
    Statement st(*writer_);
    st << "DELETE FROM result_sets WHERE created_at < ?", use(before);
    return static_cast<uint64_t>(st.execute());
  });
}

}  // namespace taxii::storage
