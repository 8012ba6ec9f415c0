// SqlStore: collections, content reads and the keyset loop of scan(), result sets.
#include "storage/sql/sql_store.hpp"

#include <algorithm>
#include <limits>

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include "storage/adapter_guard.hpp"
#include "storage/sql/migrations.hpp"
#include "storage/sql/rows.hpp"

namespace taxii::storage {
namespace {

using namespace detail;  // rows.hpp (converters, Poco names), adapter_guard.hpp

constexpr Int64 kDayMicros = Int64{24} * 60 * 60 * 1000000;
constexpr Int64 kMinLabel = std::numeric_limits<Int64>::min();
constexpr Int64 kMaxLabel = std::numeric_limits<Int64>::max();

// The part of a content_blocks WHERE clause that the binding filter adds, built from the
// filter's shape only (every value is a bound parameter, in order).
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

}  // namespace

SqlStore::SqlStore(Clock clock, Dialect dialect)
    : clock_(clock ? std::move(clock) : Clock(&Timestamp::now)), dialect_(std::move(dialect)) {}

SqlStore::~SqlStore() = default;

std::string SqlStore::param(std::size_t n) const { return dialect_.numbered ? "$" + std::to_string(n) : "?"; }

std::string SqlStore::lock_clause(std::string_view of, bool skip_locked) const {
  if (!dialect_.row_locks) return {};
  return " FOR UPDATE" + (of.empty() ? std::string() : " OF " + std::string(of)) + (skip_locked ? " SKIP LOCKED" : "");
}

std::size_t SqlStore::changed(std::string_view text, const std::function<void(Statement&)>& bind) {
  const std::string rendered = sql(text);
  std::size_t n = 0;
  write([&](Session& s) {
    Statement st(s);
    st << rendered;
    bind(st);
    n = st.execute();
  });
  return n;
}

std::string SqlStore::sql(std::string_view text) const {
  // `?` is the backend's own form (SQLite): the text as it is. This runs for every statement
  // of every request, so it copies runs, not characters (the #21 profile: rendering
  // character by character cost ~11,000 instructions per Inbox message).
  if (!dialect_.numbered) return std::string(text);
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t n = 0;
  bool quoted = false;
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'') {
      quoted = !quoted;
    } else if (c == '?' && !quoted) {
      out.append(text.substr(run, i - run));
      out += '$';
      out += std::to_string(++n);
      run = i + 1;
    }
  }
  out.append(text.substr(run));
  return out;
}

Status SqlStore::within(const TransactionVerbs& verbs, Session& s, const std::function<Status(Session&)>& fn) {
  verbs.begin();
  bool open = true;
  try {
    Status st = fn(s);
    if (st.ok()) verbs.commit();
    else verbs.rollback();
    open = false;
    return st;
  } catch (...) {
    try {
      if (open) verbs.rollback();
    } catch (const Poco::Exception& e) {
      // After a failed COMMIT the database may have rolled back already, or the connection
      // is broken (the server rolls back): nothing left to do.
      log_error("rollback", e.displayText());
    }
    throw;
  }
}

Status SqlStore::migrate(detail::MigrationSteps steps) {
  steps.insert_version = sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
  steps.now_micros = [this] { return clock_().micros(); };
  return transaction([&](Session& s) {
    detail::migrate(s, steps);
    return ok_status();
  });
}

void SqlStore::read(const std::function<void(Session&)>& fn) {
  (void)lend(Access::Read, [&](Session& s) {
    fn(s);
    return ok_status();
  });
}

void SqlStore::write(const std::function<void(Session&)>& fn) {
  (void)lend(Access::Write, [&](Session& s) {
    fn(s);
    return ok_status();
  });
}

bool SqlStore::worth_claiming(const std::string&, const std::vector<int64_t>&) { return true; }

std::optional<int64_t> SqlStore::collection_id(Session& s, std::string_view name) const {
  Nullable<Int64> id;
  std::string n(name);
  s << sql("SELECT id FROM collections WHERE name = ?"), use(n), Poco::Data::Keywords::into(id), now;
  if (id.isNull()) return std::nullopt;
  return id.value();
}

Result<int64_t> SqlStore::schema_version() {
  return guarded<int64_t>("could not read the schema version", [&]() -> Result<int64_t> {
    return reading([&](Session& s) {
      Int64 v = 0;
      s << "SELECT coalesce(max(version), 0) FROM schema_version", into(v), now;
      return static_cast<int64_t>(v);
    });
  });
}

Result<SqlStore::Labels> SqlStore::append(const std::vector<std::string>& collections,
                                          const std::vector<NewBlock>& blocks) {
  return guarded<Labels>("could not store the content blocks", [&]() -> Result<Labels> {
    Labels out;
    const Status st = transaction([&](Session& s) -> Status {
      auto labels = append_in(s, collections, blocks);
      if (!labels.ok()) return labels.error();
      out = std::move(labels).value();
      return ok_status();
    });
    if (!st.ok()) return st.error();
    return out;
  });
}

Status SqlStore::ensure_collection(std::string_view name) {
  return guarded<Ok>("could not create the collection", [&]() -> Status {
    std::string n(name);
    Int64 at = clock_().micros();
    write([&](Session& s) {
      s << sql("INSERT INTO collections (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"), use(n),
          use(at), now;
    });
    return ok_status();
  });
}

Result<bool> SqlStore::has_collection(std::string_view name) {
  return guarded<bool>("could not look up the collection", [&]() -> Result<bool> {
    return reading([&](Session& s) { return collection_id(s, name).has_value(); });
  });
}

// Keyset pagination: each page is a fresh query after the last label seen, so no transaction
// (nor, in memory, lock) is held while the callback runs, and memory stays bounded.
Status SqlStore::scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) {
  return guarded<Ok>("could not read the content blocks", [&]() -> Status {
    const auto id = reading([&](Session& s) { return collection_id(s, q.collection); });
    if (!id) return ok_status();  // an unknown collection holds nothing
    BindingClause filter = binding_clause(q.bindings);
    Batch b;
    b.filter_sql = std::move(filter.sql);
    b.filter = std::move(filter.params);
    b.collection = &q.collection;
    b.collection_id = *id;
    b.after = q.after ? q.after->micros() : kMinLabel;
    b.until = q.until ? q.until->micros() : kMaxLabel;
    uint64_t remaining = q.limit == 0 ? std::numeric_limits<uint64_t>::max() : q.limit;
    std::vector<StoredBlock> batch;
    while (remaining > 0) {
      batch.clear();
      b.want = static_cast<int64_t>(std::min<uint64_t>(Batch::kRows, remaining));
      const std::size_t bytes = fetch(b, batch);
      const bool exhausted = batch.size() < static_cast<std::size_t>(b.want) && bytes < Batch::kBytes;
      if (batch.empty()) break;
      b.after = batch.back().label.micros();  // before fn may move fields away
      for (StoredBlock& block : batch)
        if (!fn(block)) return ok_status();
      if (exhausted) break;
      remaining -= batch.size();
    }
    return ok_status();
  });
}

Result<uint64_t> SqlStore::count(const ScanQuery& q) {
  return guarded<uint64_t>("could not count the content blocks", [&]() -> Result<uint64_t> {
    const BindingClause filter = binding_clause(q.bindings);
    const std::string text = sql("SELECT count(*) FROM (SELECT 1 FROM content_blocks "
                                 "WHERE collection_id = ? AND label > ? AND label <= ?" +
                                 filter.sql + (q.limit == 0 ? "" : " LIMIT ?") + ") AS matched");
    return reading([&](Session& s) -> uint64_t {
      const auto id = collection_id(s, q.collection);
      if (!id) return 0;
      Int64 cid = *id;
      Int64 after = q.after ? q.after->micros() : kMinLabel;
      Int64 until = q.until ? q.until->micros() : kMaxLabel;
      Int64 lim = static_cast<Int64>(std::min<uint64_t>(q.limit, static_cast<uint64_t>(kMaxLabel)));
      Int64 n = 0;
      Statement st(s);
      st << text, use(cid), use(after), use(until);
      for (const std::string& p : filter.params) st, bind(p);
      if (q.limit != 0) st, use(lim);
      st, into(n);
      st.execute();
      return static_cast<uint64_t>(n);
    });
  });
}

Result<std::optional<Timestamp>> SqlStore::latest_label(std::string_view collection) {
  using R = std::optional<Timestamp>;
  return guarded<R>("could not read the latest label", [&]() -> Result<R> {
    std::string name(collection);
    Nullable<Int64> last;
    read([&](Session& s) {
      s << sql("SELECT max(label) FROM content_blocks "
               "WHERE collection_id = (SELECT id FROM collections WHERE name = ?)"),
          use(name), into(last), now;
    });
    return olabel(last);
  });
}

Result<uint64_t> SqlStore::volume_last_day(std::string_view collection) {
  return guarded<uint64_t>("could not count the collection volume", [&]() -> Result<uint64_t> {
    std::string name(collection);
    // Labels are arrival times (or just after, in a burst), so this is an index range.
    Int64 since = clock_().micros() - kDayMicros;
    Int64 n = 0;
    read([&](Session& s) {
      s << sql("SELECT count(*) FROM content_blocks "
               "WHERE collection_id = (SELECT id FROM collections WHERE name = ?) AND label > ?"),
          use(name), use(since), into(n), now;
    });
    return static_cast<uint64_t>(n);
  });
}

Status SqlStore::put_result_set(const ResultSet& rs) {
  return guarded<Ok>("could not store the result set", [&]() -> Status {
    std::string result_id = rs.result_id;
    std::string collection = rs.collection;
    BLOB request = to_blob(rs.request);
    Int64 total = static_cast<Int64>(rs.total_count);
    Int64 part_size = static_cast<Int64>(rs.part_size);
    Nullable<Int64> after = nlabel(rs.after);
    Nullable<Int64> until = nlabel(rs.until);
    Int64 created = rs.created.micros();
    write([&](Session& s) {
      s << sql("INSERT INTO result_sets (result_id, collection, request, total_count, part_size, "
               "after_label, until_label, created_at) VALUES (?, ?, " + bytes_param() + ", ?, ?, ?, ?, ?) "
               "ON CONFLICT (result_id) DO UPDATE SET collection = excluded.collection, "
               "request = excluded.request, total_count = excluded.total_count, "
               "part_size = excluded.part_size, after_label = excluded.after_label, "
               "until_label = excluded.until_label, created_at = excluded.created_at"),
          use(result_id), use(collection), use(request), use(total), use(part_size), use(after), use(until),
          use(created), now;
    });
    return ok_status();
  });
}

Result<std::optional<ResultSet>> SqlStore::get_result_set(std::string_view result_id) {
  using R = std::optional<ResultSet>;
  return guarded<R>("could not read the result set", [&]() -> Result<R> {
    ResultSet rs;
    rs.result_id = std::string(result_id);
    BLOB request;
    Int64 total = 0;
    Int64 part_size = 0;
    Nullable<Int64> after;
    Nullable<Int64> until;
    Int64 created = 0;
    const bool found = reading([&](Session& s) {
      Statement st(s);
      st << sql("SELECT collection, request, total_count, part_size, after_label, until_label, "
                "created_at FROM result_sets WHERE result_id = ?"),
          use(rs.result_id), into(rs.collection), into(request), into(total), into(part_size), into(after),
          into(until), into(created);
      return st.execute() != 0;
    });
    if (!found) return R{};
    rs.request = from_blob(request);
    rs.total_count = static_cast<uint64_t>(total);
    rs.part_size = static_cast<uint64_t>(part_size);
    rs.after = olabel(after);
    rs.until = olabel(until);
    rs.created = Timestamp::from_micros(created);
    return R{std::move(rs)};
  });
}

Status SqlStore::put_result_part(std::string_view result_id, const ResultPart& p) {
  return guarded<Ok>("could not store the result part", [&]() -> Status {
    std::string rid(result_id);
    Int64 number = static_cast<Int64>(p.part_number);
    Nullable<Int64> after = nlabel(p.after);
    Nullable<Int64> last = nlabel(p.last_label);
    write([&](Session& s) {
      s << sql("INSERT INTO result_parts (result_id, part_number, after_label, last_label) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (result_id, part_number) DO UPDATE SET "
               "after_label = excluded.after_label, last_label = excluded.last_label"),
          use(rid), use(number), use(after), use(last), now;
    });
    return ok_status();
  });
}

Result<std::optional<ResultPart>> SqlStore::get_result_part(std::string_view result_id, uint64_t part_number) {
  using R = std::optional<ResultPart>;
  return guarded<R>("could not read the result part", [&]() -> Result<R> {
    std::string rid(result_id);
    Int64 number = static_cast<Int64>(part_number);
    Nullable<Int64> after;
    Nullable<Int64> last;
    const bool found = reading([&](Session& s) {
      Statement st(s);
      st << sql("SELECT after_label, last_label FROM result_parts WHERE result_id = ? AND part_number = ?"),
          use(rid), use(number), into(after), into(last);
      return st.execute() != 0;
    });
    if (!found) return R{};
    return R{ResultPart{part_number, olabel(after), olabel(last)}};
  });
}

Result<uint64_t> SqlStore::expire_result_sets(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire result sets", [&]() -> Result<uint64_t> {
    Int64 before = cutoff.micros();
    // Their parts go too (ON DELETE CASCADE).
    return changed("DELETE FROM result_sets WHERE created_at < ?", [&](Statement& st) { st, use(before); });
  });
}

}  // namespace taxii::storage
