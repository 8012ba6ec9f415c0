#include "storage/postgres/postgres_store.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include "schemas/postgres/embedded.hpp"
#include "storage/adapter_guard.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/connection_uri.hpp"

namespace taxii::storage {
namespace {

using Poco::Int64;
using Poco::Nullable;
using Poco::Data::BLOB;
using Poco::Data::Session;
using Poco::Data::Statement;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;
using Lease = PostgresPool::Lease;

// scan() holds at most this many blocks, or about this many content bytes (but always at
// least one block), between two queries. The byte bound is applied by the server (a
// running sum over the batch), because libpq receives a query's whole result at once.
constexpr std::size_t kBatchRows = 500;
constexpr Int64 kBatchBytes = Int64{4} << 20;
// Rows per INSERT statement in append(): one round trip for many blocks.
constexpr std::size_t kInsertRows = 500;
constexpr Int64 kDayMicros = Int64{24} * 60 * 60 * 1000000;
// pg_advisory_xact_lock key held while migrating ("taxii" in ASCII).
constexpr Int64 kMigrationLock = 0x7461786969;

// The adapter boundary of STYLE.md: nothing thrown by Poco or libpq leaves.
using detail::guarded;
using detail::log_error;

BLOB to_blob(const std::string& s) {
  return BLOB(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string from_blob(const BLOB& b) {
  if (b.size() == 0) return {};
  return std::string(reinterpret_cast<const char*>(b.rawContent()), b.size());
}

Nullable<std::string> to_nullable(const std::optional<std::string>& s) {
  return s ? Nullable<std::string>(*s) : Nullable<std::string>();
}

std::optional<std::string> from_nullable(const Nullable<std::string>& s) {
  if (s.isNull()) return std::nullopt;
  return s.value();
}

Nullable<Int64> to_nullable(const std::optional<Timestamp>& t) {
  return t ? Nullable<Int64>(t->micros()) : Nullable<Int64>();
}

std::optional<Timestamp> from_nullable(const Nullable<Int64>& t) {
  if (t.isNull()) return std::nullopt;
  return Timestamp::from_micros(t.value());
}

std::string param(std::size_t n) { return "$" + std::to_string(n); }

// The part of a content_blocks WHERE clause that the binding filter adds, built from the
// filter's shape only (every value is a bound parameter, numbered from `first`).
// Services 1.1 §3.6.1 / §4.5: an entry without subtypes accepts every subtype and none.
struct BindingClause {
  std::string sql;
  std::vector<std::string> params;
};

BindingClause binding_clause(const std::vector<BindingFilter>& filters, std::size_t first) {
  BindingClause c;
  if (filters.empty()) return c;
  c.sql = " AND (";
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const BindingFilter& f = filters[i];
    if (i > 0) c.sql += " OR ";
    c.params.push_back(f.binding_id);
    const std::string binding = param(first + c.params.size() - 1);
    if (f.subtypes.empty()) {
      c.sql += "binding_id = " + binding;
      continue;
    }
    c.sql += "(binding_id = " + binding + " AND subtype IN (";
    for (std::size_t j = 0; j < f.subtypes.size(); ++j) {
      c.params.push_back(f.subtypes[j]);
      c.sql += (j == 0 ? "" : ", ") + param(first + c.params.size() - 1);
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
  s << "SELECT id FROM collections WHERE name = $1", use(n), into(id), now;
  return id;
}

// INSERT of `rows` content blocks into one collection: $1 is the collection id, then five
// parameters per row. Explicit casts: a multi-row VALUES list does not take the target
// columns' types for untyped parameters. An empty BYTEA binds as NULL; COALESCE stores it
// as the empty value it is.
std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO content_blocks (collection_id, label, binding_id, subtype, content, message) "
      "VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t p = 2 + r * 5;
    sql += (r == 0 ? "($1::bigint, " : ", ($1::bigint, ") + param(p) + "::bigint, " + param(p + 1) +
           "::text, " + param(p + 2) + "::text, coalesce(" + param(p + 3) +
           "::bytea, ''::bytea), " + param(p + 4) + "::text)";
  }
  return sql;
}

struct Migration {
  int64_t version = 0;
  std::string_view name;
  std::string_view sql;
};

// The embedded PostgreSQL migrations in version order ("<version>_<what>.sql").
std::vector<Migration> migrations() {
  namespace pg = schemas::postgres;
  std::vector<Migration> out;
  for (std::size_t i = 0; i < pg::kFileCount; ++i) {
    const schemas::EmbeddedFile& f = pg::kFiles[i];
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

PostgresStore::PostgresStore(Options options) : options_(std::move(options)) {}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& uri,
                                                           Options options) {
  static std::once_flag registered;
  auto conn = parse_postgres_uri(uri);
  if (!conn.ok()) return conn.error();
  const std::string message = "could not open the PostgreSQL store at " + conn->redacted;
  if (!options.clock) options.clock = &Timestamp::now;
  options.max_connections = std::clamp<std::size_t>(options.max_connections, 1, 1000);
  try {
    std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(options)));
    const Options& o = store->options_;
    PostgresPool::Settings settings;
    settings.max_connections = o.max_connections;
    settings.acquire_timeout_ms = o.acquire_timeout_ms;
    settings.idle_seconds = o.idle_seconds;
    settings.lock_timeout_ms = o.lock_timeout_ms;
    settings.idle_in_transaction_timeout_ms = o.idle_in_transaction_timeout_ms;
    settings.schema = o.schema;
    store->pool_ = std::make_unique<PostgresPool>(conn->conninfo, std::move(settings));
    store->migrate();
    return store;
  } catch (const Poco::Exception& e) {
    log_error(message, e.displayText());
  } catch (const std::exception& e) {
    log_error(message, e.what());
  }
  return Error::failure(message);
}

void PostgresStore::migrate() {
  const std::vector<Migration> all = migrations();
  const int64_t newest = all.empty() ? 0 : all.back().version;
  Lease s(*pool_);
  PostgresTransaction tx(*s);
  // Instances opening together wait here for the first one's migration to commit.
  postgres_exec(*s, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
  if (!options_.schema.empty())
    postgres_exec(*s, "CREATE SCHEMA IF NOT EXISTS " + postgres_quote_ident(options_.schema));
  Int64 has_table = 0;
  *s << "SELECT count(*) FROM pg_catalog.pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'schema_version'",
      into(has_table), now;
  Int64 current = 0;
  if (has_table != 0)
    *s << "SELECT coalesce(max(version), 0) FROM schema_version", into(current), now;
  if (current > newest)
    throw Poco::DataException("database schema version " + std::to_string(current) +
                              " is newer than this program's (" + std::to_string(newest) + ")");
  for (const Migration& m : all) {
    if (m.version <= current) continue;
    postgres_exec(*s, std::string(m.sql));
    Int64 version = m.version;
    Int64 at = options_.clock().micros();
    *s << "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", use(version), use(at),
        now;
  }
  tx.commit();
}

Result<int64_t> PostgresStore::schema_version() {
  return guarded<int64_t>("could not read the schema version", [&]() -> Result<int64_t> {
    Lease s(*pool_);
    Int64 v = 0;
    *s << "SELECT coalesce(max(version), 0) FROM schema_version", into(v), now;
    return static_cast<int64_t>(v);
  });
}

Status PostgresStore::ensure_collection(std::string_view name) {
  return guarded<Ok>("could not create the collection", [&]() -> Status {
    std::string n(name);
    Int64 at = options_.clock().micros();
    Lease s(*pool_);
    *s << "INSERT INTO collections (name, created_at) VALUES ($1, $2) "
          "ON CONFLICT (name) DO NOTHING",
        use(n), use(at), now;
    return ok_status();
  });
}

Result<bool> PostgresStore::has_collection(std::string_view name) {
  return guarded<bool>("could not look up the collection", [&]() -> Result<bool> {
    Lease s(*pool_);
    return !collection_id(*s, name).isNull();
  });
}

Result<std::vector<std::vector<Timestamp>>> PostgresStore::append(
    const std::vector<std::string>& collections, const std::vector<NewBlock>& blocks) {
  using Labels = std::vector<std::vector<Timestamp>>;
  return guarded<Labels>("could not store the content blocks", [&]() -> Result<Labels> {
    Lease s(*pool_);
    PostgresTransaction tx(*s);
    auto out = append_in(*s, collections, blocks);
    if (out.ok()) tx.commit();
    return out;
  });
}

// REQUIRES: a transaction open on s; it keeps the collections' row locks until it ends.
// Throws Poco exceptions.
Result<std::vector<std::vector<Timestamp>>> PostgresStore::append_in(
    Session& s, const std::vector<std::string>& collections, const std::vector<NewBlock>& blocks) {
  using Labels = std::vector<std::vector<Timestamp>>;
  {
    // The per-block parameters are the same for every collection; build them once.
    const std::size_t n = blocks.size();
    std::vector<std::string> binding_ids;
    std::vector<Nullable<std::string>> subtypes;
    std::vector<BLOB> contents;
    std::vector<Nullable<std::string>> messages;
    binding_ids.reserve(n);
    subtypes.reserve(n);
    contents.reserve(n);
    messages.reserve(n);
    for (const NewBlock& b : blocks) {
      binding_ids.push_back(b.binding_id);
      subtypes.push_back(to_nullable(b.subtype));
      contents.push_back(to_blob(b.content));
      messages.push_back(to_nullable(b.message));
    }
    std::vector<Int64> labels(n);

    // Lock each named collection's row until COMMIT, in name order (no deadlock between
    // two appends naming the same collections). Another append to one of them waits here
    // until this one has committed, so labels are computed from committed data, and the
    // commits of a collection happen in label order.
    std::map<std::string, Nullable<Int64>> ids;
    for (const std::string& name : collections) ids.emplace(name, Nullable<Int64>());
    for (auto& entry : ids) {
      std::string name = entry.first;
      s << "SELECT id FROM collections WHERE name = $1 FOR NO KEY UPDATE", use(name),
          into(entry.second), now;
    }
    for (const std::string& name : collections)
      if (ids[name].isNull()) return Error::not_found("collection does not exist: " + name, name);
    // Read under the locks, so "now" never precedes a label another process has committed.
    const Int64 now_us = options_.clock().micros();
    std::map<Int64, Int64> next;  // collection id -> its next label
    for (const auto& entry : ids) {
      Int64 cid = entry.second.value();
      Nullable<Int64> last;
      s << "SELECT max(label) FROM content_blocks WHERE collection_id = $1", use(cid), into(last),
          now;
      // Services 1.1 §4.1.4: strictly increasing per collection; each block its own label.
      next[cid] = last.isNull() ? now_us : std::max(now_us, last.value() + 1);
    }

    Labels out;
    out.reserve(collections.size());
    for (const std::string& name : collections) {
      Int64 cid = ids[name].value();
      Int64& label = next[cid];
      std::vector<Timestamp>& given = out.emplace_back();
      given.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        labels[i] = label++;
        given.push_back(Timestamp::from_micros(labels[i]));
      }
      for (std::size_t first = 0; first < n; first += kInsertRows) {
        const std::size_t rows = std::min(kInsertRows, n - first);
        Statement st(s);
        st << insert_sql(rows), use(cid);
        for (std::size_t i = first; i < first + rows; ++i)
          st, use(labels[i]), use(binding_ids[i]), use(subtypes[i]), use(contents[i]),
              use(messages[i]);
        st.execute();
      }
    }
    return out;
  }
}

Status PostgresStore::scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) {
  return guarded<Ok>("could not read the content blocks", [&]() -> Status {
    const BindingClause filter = binding_clause(q.bindings, 4);
    const std::size_t p = 4 + filter.params.size();
    // The running sum stops a batch once it holds kBatchBytes of content (after at least
    // one block); the window follows the index order, so LIMIT still ends the scan early.
    const std::string sql =
        "SELECT id, label, binding_id, subtype, content, message FROM ("
        "SELECT id, label, binding_id, subtype, content, message, "
        "sum(octet_length(content)) OVER (ORDER BY label) - octet_length(content) AS before "
        "FROM content_blocks WHERE collection_id = $1 AND label > $2 AND label <= $3" +
        filter.sql + " ORDER BY label LIMIT " + param(p) + ") AS batch WHERE before < " +
        param(p + 1) + " ORDER BY label";
    Int64 cid = 0;
    {
      Lease s(*pool_);
      const Nullable<Int64> id = collection_id(*s, q.collection);
      if (id.isNull()) return ok_status();  // an unknown collection holds nothing
      cid = id.value();
    }
    // Keyset pagination: each batch is a fresh query after the last label seen, so no
    // transaction stays open while the callback runs, and memory stays bounded.
    Int64 cursor = q.after ? q.after->micros() : std::numeric_limits<Int64>::min();
    Int64 until = q.until ? q.until->micros() : std::numeric_limits<Int64>::max();
    Int64 budget = kBatchBytes;
    uint64_t remaining = q.limit == 0 ? std::numeric_limits<uint64_t>::max() : q.limit;
    std::vector<StoredBlock> batch;
    while (remaining > 0) {
      batch.clear();
      Int64 want = static_cast<Int64>(std::min<uint64_t>(kBatchRows, remaining));
      std::size_t bytes = 0;
      {
        std::vector<Int64> ids;
        std::vector<Int64> labels;
        std::vector<std::string> binding_ids;
        std::vector<Nullable<std::string>> subtypes;
        std::vector<BLOB> contents;
        std::vector<Nullable<std::string>> messages;
        Lease s(*pool_);
        Statement st(*s);
        st << sql, use(cid), use(cursor), use(until);
        for (const std::string& f : filter.params) st, bind(f);
        st, use(want), use(budget), into(ids), into(labels), into(binding_ids), into(subtypes),
            into(contents), into(messages);
        st.execute();
        batch.resize(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
          StoredBlock& b = batch[i];
          b.id = ids[i];
          b.collection = q.collection;
          b.label = Timestamp::from_micros(labels[i]);
          b.binding_id = std::move(binding_ids[i]);
          b.subtype = from_nullable(subtypes[i]);
          b.content = from_blob(contents[i]);
          contents[i] = BLOB();
          b.message = from_nullable(messages[i]);
          bytes += b.content.size();
        }
      }
      const bool exhausted = batch.size() < static_cast<std::size_t>(want) &&
                             bytes < static_cast<std::size_t>(kBatchBytes);
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

Result<uint64_t> PostgresStore::count(const ScanQuery& q) {
  return guarded<uint64_t>("could not count the content blocks", [&]() -> Result<uint64_t> {
    const BindingClause filter = binding_clause(q.bindings, 4);
    Lease s(*pool_);
    const Nullable<Int64> id = collection_id(*s, q.collection);
    if (id.isNull()) return uint64_t{0};
    Int64 cid = id.value();
    Int64 after = q.after ? q.after->micros() : std::numeric_limits<Int64>::min();
    Int64 until = q.until ? q.until->micros() : std::numeric_limits<Int64>::max();
    // LIMIT NULL is no limit in PostgreSQL.
    Nullable<Int64> lim;
    if (q.limit != 0)
      lim = static_cast<Int64>(
          std::min<uint64_t>(q.limit, static_cast<uint64_t>(std::numeric_limits<Int64>::max())));
    Int64 n = 0;
    Statement st(*s);
    st << "SELECT count(*) FROM (SELECT 1 FROM content_blocks "
          "WHERE collection_id = $1 AND label > $2 AND label <= $3" +
              filter.sql + " LIMIT " + param(4 + filter.params.size()) + "::bigint) AS matched",
        use(cid), use(after), use(until);
    for (const std::string& f : filter.params) st, bind(f);
    st, use(lim), into(n);
    st.execute();
    return static_cast<uint64_t>(n);
  });
}

Result<std::optional<Timestamp>> PostgresStore::latest_label(std::string_view collection) {
  using R = std::optional<Timestamp>;
  return guarded<R>("could not read the latest label", [&]() -> Result<R> {
    std::string name(collection);
    Nullable<Int64> last;
    Lease s(*pool_);
    *s << "SELECT max(b.label) FROM content_blocks b JOIN collections c "
          "ON c.id = b.collection_id WHERE c.name = $1",
        use(name), into(last), now;
    return from_nullable(last);
  });
}

Result<uint64_t> PostgresStore::volume_last_day(std::string_view collection) {
  return guarded<uint64_t>("could not count the collection volume", [&]() -> Result<uint64_t> {
    std::string name(collection);
    // Labels are arrival times (or just after, in a burst), so this is an index range.
    Int64 since = options_.clock().micros() - kDayMicros;
    Int64 n = 0;
    Lease s(*pool_);
    *s << "SELECT count(*) FROM content_blocks b JOIN collections c "
          "ON c.id = b.collection_id WHERE c.name = $1 AND b.label > $2",
        use(name), use(since), into(n), now;
    return static_cast<uint64_t>(n);
  });
}

Status PostgresStore::put_result_set(const ResultSet& rs) {
  return guarded<Ok>("could not store the result set", [&]() -> Status {
    std::string result_id = rs.result_id;
    std::string collection = rs.collection;
    BLOB request = to_blob(rs.request);
    Int64 total = static_cast<Int64>(rs.total_count);
    Int64 part_size = static_cast<Int64>(rs.part_size);
    Nullable<Int64> after = to_nullable(rs.after);
    Nullable<Int64> until = to_nullable(rs.until);
    Int64 created = rs.created.micros();
    Lease s(*pool_);
    *s << "INSERT INTO result_sets (result_id, collection, request, total_count, part_size, "
          "after_label, until_label, created_at) "
          "VALUES ($1, $2, coalesce($3::bytea, ''::bytea), $4, $5, $6, $7, $8) "
          "ON CONFLICT (result_id) DO UPDATE SET collection = excluded.collection, "
          "request = excluded.request, total_count = excluded.total_count, "
          "part_size = excluded.part_size, after_label = excluded.after_label, "
          "until_label = excluded.until_label, created_at = excluded.created_at",
        use(result_id), use(collection), use(request), use(total), use(part_size), use(after),
        use(until), use(created), now;
    return ok_status();
  });
}

Result<std::optional<ResultSet>> PostgresStore::get_result_set(std::string_view result_id) {
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
    Lease s(*pool_);
    Statement st(*s);
    st << "SELECT collection, request, total_count, part_size, after_label, until_label, "
          "created_at FROM result_sets WHERE result_id = $1",
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

Status PostgresStore::put_result_part(std::string_view result_id, const ResultPart& p) {
  return guarded<Ok>("could not store the result part", [&]() -> Status {
    std::string rid(result_id);
    Int64 number = static_cast<Int64>(p.part_number);
    Nullable<Int64> after = to_nullable(p.after);
    Nullable<Int64> last = to_nullable(p.last_label);
    Lease s(*pool_);
    *s << "INSERT INTO result_parts (result_id, part_number, after_label, last_label) "
          "VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (result_id, part_number) DO UPDATE SET "
          "after_label = excluded.after_label, last_label = excluded.last_label",
        use(rid), use(number), use(after), use(last), now;
    return ok_status();
  });
}

Result<std::optional<ResultPart>> PostgresStore::get_result_part(std::string_view result_id,
                                                                 uint64_t part_number) {
  using R = std::optional<ResultPart>;
  return guarded<R>("could not read the result part", [&]() -> Result<R> {
    std::string rid(result_id);
    Int64 number = static_cast<Int64>(part_number);
    Nullable<Int64> after;
    Nullable<Int64> last;
    Lease s(*pool_);
    Statement st(*s);
    st << "SELECT after_label, last_label FROM result_parts "
          "WHERE result_id = $1 AND part_number = $2",
        use(rid), use(number), into(after), into(last);
    if (st.execute() == 0) return R{};
    ResultPart part;
    part.part_number = part_number;
    part.after = from_nullable(after);
    part.last_label = from_nullable(last);
    return R{part};
  });
}

Result<uint64_t> PostgresStore::expire_result_sets(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire result sets", [&]() -> Result<uint64_t> {
    Int64 before = cutoff.micros();
    Lease s(*pool_);
    // Their parts go too (ON DELETE CASCADE).
    Statement st(*s);
    st << "DELETE FROM result_sets WHERE created_at < $1", use(before);
    return static_cast<uint64_t>(st.execute());
  });
}

}  // namespace taxii::storage
