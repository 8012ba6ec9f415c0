#include "storage/postgres/postgres_store.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include "schemas/postgres/embedded.hpp"
#include "storage/adapter_guard.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/connection_uri.hpp"
#include "storage/sql/migrations.hpp"
#include "storage/sql/rows.hpp"

namespace taxii::storage {
namespace {

using namespace detail;  // rows.hpp (converters, Poco names), adapter_guard.hpp
using Lease = PostgresPool::Lease;

// Rows per INSERT statement in append(): one round trip for many blocks.
constexpr std::size_t kInsertRows = 500;
// pg_advisory_xact_lock key held while migrating ("taxii" in ASCII).
constexpr Int64 kMigrationLock = 0x7461786969;

std::string dollar(std::size_t n) { return "$" + std::to_string(n); }

// INSERT of `rows` content blocks into one collection: $1 is the collection id, then five
// parameters per row. Explicit casts: a multi-row VALUES list does not take the target
// columns' types for untyped parameters. An empty BYTEA binds as NULL; COALESCE stores it
// as the empty value it is.
std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO content_blocks (collection_id, label, binding_id, subtype, content, message) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t p = 2 + r * 5;
    sql += (r == 0 ? "($1::bigint, " : ", ($1::bigint, ") + dollar(p) + "::bigint, " + dollar(p + 1) +
           "::text, " + dollar(p + 2) + "::text, coalesce(" + dollar(p + 3) + "::bytea, ''::bytea), " +
           dollar(p + 4) + "::text)";
  }
  return sql;
}

}  // namespace

PostgresStore::PostgresStore(Options options)
    : SqlStore(options.clock, Dialect{true, "coalesce(?::bytea, ''::bytea)", true}), options_(std::move(options)) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& uri, Options options) {
  using R = std::unique_ptr<PostgresStore>;
  static std::once_flag registered;
  auto conn = parse_postgres_uri(uri);
  if (!conn.ok()) return conn.error();
  options.max_connections = std::clamp<std::size_t>(options.max_connections, 1, 1000);
  return guarded<R>("could not open the PostgreSQL store at " + conn->redacted, [&]() -> Result<R> {
    std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    R store(new PostgresStore(std::move(options)));
    const Options& o = store->options_;
    store->pool_ = std::make_unique<PostgresPool>(conn->conninfo, o);
    MigrationSteps steps;
    steps.files = schemas::postgres::kFiles;
    steps.count = schemas::postgres::kFileCount;
    steps.table_exists =
        "SELECT count(*) FROM pg_catalog.pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'schema_version'";
    steps.bytes_type = "BYTEA";
    steps.before = [&](Session& s) {
      // Instances opening together wait here for the first one's migration to commit.
      postgres_exec(s, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
      if (!o.schema.empty()) postgres_exec(s, "CREATE SCHEMA IF NOT EXISTS " + postgres_quote_ident(o.schema));
    };
    steps.exec = [](Session& s, const std::string& script) { postgres_exec(s, script); };
    const Status migrated = store->migrate(std::move(steps));
    if (!migrated.ok()) return migrated.error();
    return store;
  });
}

// A transaction goes through Poco's begin/commit/rollback, so that the connector defers its
// DEALLOCATEs to the end.
Status PostgresStore::lend(Access access, const std::function<Status(Session&)>& fn) {
  Lease lease(*pool_);
  Session& s = *lease;
  if (access != Access::Transaction) return fn(s);
  return within({[&] { s.begin(); }, [&] { s.commit(); }, [&] { s.rollback(); }}, s, fn);
}

Result<SqlStore::Labels> PostgresStore::append_in(Session& s, const std::vector<std::string>& collections,
                                                  const std::vector<NewBlock>& blocks) {
  // The per-block parameters are the same for every collection; build them once.
  const std::size_t n = blocks.size();
  std::vector<std::string> binding_ids;
  std::vector<Nullable<std::string>> subtypes, messages;
  std::vector<BLOB> contents;
  for (const NewBlock& b : blocks) {
    binding_ids.push_back(b.binding_id);
    subtypes.push_back(nstr(b.subtype));
    contents.push_back(to_blob(b.content));
    messages.push_back(nstr(b.message));
  }
  std::vector<Int64> labels(n);

  // Lock each named collection's row until COMMIT, in name order (no deadlock between two
  // appends naming the same collections). Another append to one of them waits here until this
  // one has committed, so labels are computed from committed data, and the commits of a
  // collection happen in label order.
  std::map<std::string, Nullable<Int64>> ids;
  for (const std::string& name : collections) ids.emplace(name, Nullable<Int64>());
  for (auto& entry : ids) {
    std::string name = entry.first;
    s << "SELECT id FROM collections WHERE name = $1 FOR NO KEY UPDATE", use(name), into(entry.second), now;
  }
  for (const std::string& name : collections)
    if (ids[name].isNull()) return Error::not_found("collection does not exist: " + name, name);
  // Read under the locks, so "now" never precedes a label another process has committed.
  const Int64 now_us = clock_().micros();
  std::map<Int64, Int64> next;  // collection id -> its next label
  for (const auto& entry : ids) {
    Int64 cid = entry.second.value();
    Nullable<Int64> last;
    s << "SELECT max(label) FROM content_blocks WHERE collection_id = $1", use(cid), into(last), now;
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
        st, use(labels[i]), use(binding_ids[i]), use(subtypes[i]), use(contents[i]), use(messages[i]);
      st.execute();
    }
  }
  return out;
}

// The running sum stops a page once it holds Batch::kBytes of content (after at least one
// block), on the server, because libpq receives a query's whole result at once; the window
// follows the index order, so LIMIT still ends the scan early.
std::size_t PostgresStore::fetch(Batch& b, std::vector<StoredBlock>& out) {
  if (b.sql.empty())
    b.sql = sql("SELECT id, label, binding_id, subtype, content, message FROM ("
                "SELECT id, label, binding_id, subtype, content, message, "
                "sum(octet_length(content)) OVER (ORDER BY label) - octet_length(content) AS before "
                "FROM content_blocks WHERE collection_id = ? AND label > ? AND label <= ?" +
                b.filter_sql + " ORDER BY label LIMIT ?) AS batch WHERE before < ? ORDER BY label");
  std::vector<Int64> ids, labels;
  std::vector<std::string> binding_ids;
  std::vector<Nullable<std::string>> subtypes, messages;
  std::vector<BLOB> contents;
  Int64 cid = b.collection_id, after = b.after, until = b.until, want = b.want;
  Int64 budget = static_cast<Int64>(Batch::kBytes);
  {
    Lease s(*pool_);
    Statement st(*s);
    st << b.sql, use(cid), use(after), use(until);
    for (const std::string& f : b.filter) st, bind(f);
    st, use(want), use(budget), into(ids), into(labels), into(binding_ids), into(subtypes), into(contents),
        into(messages);
    st.execute();
  }
  std::size_t bytes = 0;
  out.resize(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    StoredBlock& block = out[i];
    block.id = ids[i];
    block.collection = *b.collection;
    block.label = Timestamp::from_micros(labels[i]);
    block.binding_id = std::move(binding_ids[i]);
    block.subtype = ostr(subtypes[i]);
    block.content = from_blob(contents[i]);
    contents[i] = BLOB();
    block.message = ostr(messages[i]);
    bytes += block.content.size();
  }
  return bytes;
}

}  // namespace taxii::storage
