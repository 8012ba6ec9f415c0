// SqlStore: TAXII 2.1 objects and status resources (storage/objects.hpp;
// schemas/shared/004_objects.sql), the same statements on both databases.
//
// add_objects(): one transaction. It locks the collection's row (SELECT ... FOR UPDATE on
// PostgreSQL; SQLite's transaction holds the database write lock), so adds to one collection
// run one after the other in commit order, and gives every version it stores the one date_added
// max(now, last_added + 1 µs) (TAXII 2.1 §3.3, §5.5). Existing versions are looked up and new
// ones inserted in chunks (a few statements per kChunk objects).
//
// scan_objects(): keyset pages of at most ObjectOps::kRows rows and about ObjectOps::kBytes of bodies,
// each a fresh statement after the last (date_added, id, version_key) seen; the filters are one
// WHERE clause (Where below) evaluated in the order TAXII 2.1 §3.4.1 reads literally.
#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include "storage/adapter_guard.hpp"
#include "storage/sql/rows.hpp"
#include "storage/sql/sql_store.hpp"

namespace taxii::storage {
namespace {

using namespace detail;  // rows.hpp (converters, Poco names), adapter_guard.hpp
using Poco::Data::Keywords::useRef;

constexpr std::size_t kChunk = 200;  // objects per lookup and per INSERT statement

// One bound value of a built statement.
struct Param {
  bool integer = false;
  std::string text;
  Int64 number = 0;
};

// Statement text with `?` placeholders and the values bound to them, in order of appearance.
struct Built {
  std::string text;
  std::vector<Param> params;

  void add(std::string v) {
    text += "?";
    params.push_back(Param{false, std::move(v), 0});
  }
  void add(Int64 v) {
    text += "?";
    params.push_back(Param{true, {}, v});
  }
  void bind_to(Statement& st) const {
    for (const Param& p : params) {
      if (p.integer) st, bind(p.number);
      else st, bind(p.text);
    }
  }
};

// The WHERE clause of a query's rows (alias `o`), built from the query's shape; every value is
// a bound parameter, in order of appearance. TAXII 2.1 §3.4.1 (docs/storage.md, "TAXII 2.1
// objects"): (2) match[id], match[type]; (3) added_after; (4) match[spec_version], absent: the
// highest spec_version per id among the rows left; (5) match[version] per id among the rows
// left by 2-4: last (greatest version_key), first (least), exact keys, or all.
class Where : public Built {
 public:
  explicit Where(const ObjectQuery& q) : q_(q) {}

  void all(const std::string& a) {
    base(a);
    text += " AND ";
    spec(a);
    version(a);
  }


 private:
  void list(const std::vector<std::string>& values) {
    text += "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) text += ", ";
      add(values[i]);
    }
    text += ")";
  }
  // Steps 2 and 3 for the rows of alias a.
  void base(const std::string& a) {
    text += a + ".collection = ";
    add(q_.collection);
    if (!q_.ids.empty()) {
      text += " AND " + a + ".id IN ";
      list(q_.ids);
    }
    if (!q_.types.empty()) {
      text += " AND " + a + ".type IN ";
      list(q_.types);
    }
    if (q_.added_after) {
      text += " AND " + a + ".date_added > ";
      add(q_.added_after->micros());
    }
  }
  // Step 4 for the rows of alias a (its subquery's alias is s).
  void spec(const std::string& a) {
    if (!q_.spec_versions.empty()) {
      text += a + ".spec_version IN ";
      list(q_.spec_versions);
      return;
    }
    text += a + ".spec_version = (SELECT max(s.spec_version) FROM objects s WHERE ";
    base("s");
    text += " AND s.id = " + a + ".id)";
  }
  // Step 5 for the rows of alias a (its subqueries' alias is v).
  void version(const std::string& a) {
    if (q_.all_versions) return;
    text += " AND (";
    bool any = false;
    const auto pick = [&](const char* aggregate) {
      text += std::string(any ? " OR " : "") + a + ".version_key = (SELECT " + aggregate +
              "(v.version_key) FROM objects v WHERE ";
      base("v");
      text += " AND v.id = " + a + ".id AND ";
      spec("v");
      text += ")";
      any = true;
    };
    if (q_.last) pick("max");
    if (q_.first) pick("min");
    if (!q_.version_keys.empty()) {
      text += std::string(any ? " OR " : "") + a + ".version_key IN ";
      list(q_.version_keys);
      any = true;
    }
    if (!any) text += "1 = 0";
    text += ")";
  }

  const ObjectQuery& q_;
};

// What add_objects() knows of a version (stored before, or earlier in this call).
struct Known {
  std::string version;
  Int64 date_added = 0;
  std::string digest;
};

// One object of an add, with the version and key it is stored under.
struct Resolved {
  const NewObject* object = nullptr;
  std::string version;
  std::string key;
};

// The versions add_objects() knows: (id, version_key) -> what is stored, and each id's first
// date_added.
struct ObjectIndex {
  std::map<std::pair<std::string, std::string>, Known> known;
  std::map<std::string, Int64> first;
};

// Where scan_objects() goes on from.
struct ObjectCursor {
  Int64 date_added = 0;
  std::string id;
  std::string version_key;
};

}  // namespace

// The parts of the ObjectStore methods that use the seam (declared in sql_store.hpp).
struct SqlStore::ObjectOps {
  static constexpr std::size_t kRows = 500;                   // rows per scan page
  static constexpr std::size_t kBytes = std::size_t{4} << 20;  // bodies per scan page, about

  static void load_versions(SqlStore& self, Session& s, const std::string& collection,
                            const std::vector<const NewObject*>& chunk, std::set<std::string>& looked_up,
                            ObjectIndex& index);
  static void insert_versions(SqlStore& self, Session& s, const std::string& collection,
                              const std::vector<Resolved>& rows, Int64 date_added);
  static AddOutcome resolve(const NewObject& o, Int64 date_added, ObjectIndex& index, std::vector<Resolved>& fresh);
  static Result<std::vector<AddOutcome>> add_in(SqlStore& self, Session& s, const std::string& collection,
                                                const std::vector<NewObject>& objects);
  static std::size_t fetch(SqlStore& self, const ObjectQuery& q, const ObjectCursor& cursor, Int64 want,
                           std::vector<StoredObject>& out);
};

// --- Collections and adds ---------------------------------------------------------------------

Status SqlStore::ensure_object_collection(std::string_view collection_id) {
  return guarded<Ok>("could not create the collection", [&]() -> Status {
    std::string id(collection_id);
    write([&](Session& s) {
      s << sql("INSERT INTO object_collections (id) VALUES (?) ON CONFLICT (id) DO NOTHING"), use(id), now;
    });
    return ok_status();
  });
}

// The stored versions of the not yet known ids among `chunk` into `known`, and the date_added
// of each id's first version into `first`.
void SqlStore::ObjectOps::load_versions(SqlStore& self, Session& s, const std::string& collection,
                                        const std::vector<const NewObject*>& chunk, std::set<std::string>& looked_up,
                                        ObjectIndex& index) {
  Built w;
  w.text = "SELECT id, version_key, version, date_added, digest FROM objects WHERE collection = ";
  w.add(collection);
  w.text += " AND id IN (";
  bool any = false;
  for (const NewObject* o : chunk) {
    if (!looked_up.insert(o->id).second) continue;
    if (any) w.text += ", ";
    w.add(o->id);
    any = true;
  }
  if (!any) return;
  w.text += ")";
  std::vector<std::string> ids, keys, versions, digests;
  std::vector<Int64> dates;
  Statement st(s);
  st << self.sql(w.text);
  w.bind_to(st);
  st, into(ids), into(keys), into(versions), into(dates), into(digests);
  st.execute();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto first = index.first.emplace(ids[i], dates[i]).first;
    first->second = std::min(first->second, dates[i]);
    index.known[{ids[i], keys[i]}] = Known{versions[i], dates[i], digests[i]};
  }
}

// INSERTs the rows in one statement (casts: a multi-row VALUES list does not take the columns'
// types for its parameters on PostgreSQL).
void SqlStore::ObjectOps::insert_versions(SqlStore& self, Session& s, const std::string& collection,
                                          const std::vector<Resolved>& rows, Int64 date_added) {
  if (rows.empty()) return;
  std::string text =
      "INSERT INTO objects (collection, id, type, spec_version, version, version_key, date_added, digest, body) "
      "VALUES ";
  for (std::size_t i = 0; i < rows.size(); ++i)
    text += std::string(i == 0 ? "" : ", ") + "(?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, " + self.bytes_param() + ")";
  std::vector<BLOB> bodies;
  bodies.reserve(rows.size());
  Statement st(s);
  st << self.sql(text);
  for (const Resolved& r : rows) {
    bodies.push_back(to_blob(r.object->body));
    st, useRef(collection), useRef(r.object->id), useRef(r.object->type), useRef(r.object->spec_version),
        useRef(r.version), useRef(r.key), useRef(date_added), useRef(r.object->digest), useRef(bodies.back());
  }
  st.execute();
}

Result<std::vector<AddOutcome>> SqlStore::ObjectOps::add_in(SqlStore& self, Session& s, const std::string& collection,
                                                            const std::vector<NewObject>& objects) {
  std::vector<Nullable<Int64>> last;
  std::string c = collection;
  Statement lock(s);
  lock << self.sql("SELECT last_added FROM object_collections WHERE id = ?") + self.lock_clause("", false), use(c),
      into(last);
  lock.execute();
  if (last.empty()) return Error::not_found("collection does not exist: " + collection, collection);
  // Read under the lock, so "now" never precedes a date_added another process has committed.
  const Int64 now_us = self.clock_().micros();
  Int64 date_added = last[0].isNull() ? now_us : std::max(now_us, last[0].value() + 1);
  std::vector<AddOutcome> out;
  out.reserve(objects.size());
  ObjectIndex index;
  std::set<std::string> looked_up;
  bool stored = false;
  for (std::size_t from = 0; from < objects.size(); from += kChunk) {
    const std::size_t to = std::min(objects.size(), from + kChunk);
    std::vector<const NewObject*> chunk;
    for (std::size_t i = from; i < to; ++i) chunk.push_back(&objects[i]);
    load_versions(self, s, collection, chunk, looked_up, index);
    std::vector<Resolved> fresh;
    for (const NewObject* o : chunk) {
      out.push_back(resolve(*o, date_added, index, fresh));
      stored = stored || out.back().kind == AddOutcome::Kind::Added;
    }
    insert_versions(self, s, collection, fresh, date_added);
  }
  if (stored) {
    s << self.sql("UPDATE object_collections SET last_added = ? WHERE id = ?"), use(date_added), use(c), now;
  }
  return out;
}

// The outcome of one object (TAXII 2.1 §5.5; storage/objects.hpp); an Added one is appended to
// `fresh` and entered in the index, so that a second copy in the same add is a duplicate.
AddOutcome SqlStore::ObjectOps::resolve(const NewObject& o, Int64 date_added, ObjectIndex& index,
                                        std::vector<Resolved>& fresh) {
  Resolved r{&o, o.version, o.version_key};
  if (r.key.empty()) {  // an SCO: TAXII 2.1 §3.4.1, the date_added of its first version
    const auto first = index.first.find(o.id);
    const Timestamp t = Timestamp::from_micros(first == index.first.end() ? date_added : first->second);
    r.version = t.to_string();
    r.key = version_key_of(t);
  }
  const auto found = index.known.find({o.id, r.key});
  if (found != index.known.end()) {
    const Known& k = found->second;
    const auto kind = k.digest == o.digest ? AddOutcome::Kind::Duplicate : AddOutcome::Kind::Conflict;
    return AddOutcome{kind, k.version, Timestamp::from_micros(k.date_added)};
  }
  index.known[{o.id, r.key}] = Known{r.version, date_added, o.digest};
  index.first.emplace(o.id, date_added);
  AddOutcome added{AddOutcome::Kind::Added, r.version, Timestamp::from_micros(date_added)};
  fresh.push_back(std::move(r));
  return added;
}

Result<std::vector<AddOutcome>> SqlStore::add_objects(std::string_view collection_id,
                                                      const std::vector<NewObject>& objects) {
  using R = std::vector<AddOutcome>;
  return guarded<R>("could not store the objects", [&]() -> Result<R> {
    R out;
    const std::string collection(collection_id);
    const Status st = transaction([&](Session& s) -> Status {
      auto added = ObjectOps::add_in(*this, s, collection, objects);
      if (!added.ok()) return added.error();
      out = std::move(added).value();
      return ok_status();
    });
    if (!st.ok()) return st.error();
    return out;
  });
}

// --- Reads and deletes ------------------------------------------------------------------------

// One keyset page: the rows after `cursor`, at most `want` of them and, with bodies, about
// kBytes of them (at least one): a running sum of the body lengths, on the server,
// because libpq receives a query's whole result at once.
std::size_t SqlStore::ObjectOps::fetch(SqlStore& self, const ObjectQuery& q, const ObjectCursor& cursor, Int64 want,
                                      std::vector<StoredObject>& out) {
  Where w(q);
  const std::string cols = "id, type, spec_version, version, version_key, date_added";
  const std::string order = " ORDER BY date_added, id, version_key";
  // Without bodies the body column is not named at all (nothing of it is read).
  w.text = q.with_body ? "SELECT " + cols + ", body FROM (SELECT o.id, o.type, o.spec_version, o.version, "
                                            "o.version_key, o.date_added, o.body, sum(length(o.body)) OVER ("
                                            "ORDER BY o.date_added, o.id, o.version_key) - length(o.body) AS before "
                       : "SELECT " + cols + " FROM (SELECT o.id, o.type, o.spec_version, o.version, o.version_key, "
                                            "o.date_added ";
  w.text += "FROM objects o WHERE ";
  w.all("o");
  w.text += " AND (o.date_added, o.id, o.version_key) > (";
  w.add(cursor.date_added);
  w.text += ", ";
  w.add(cursor.id);
  w.text += ", ";
  w.add(cursor.version_key);
  w.text += ") ORDER BY o.date_added, o.id, o.version_key LIMIT ";
  w.add(want);
  w.text += ") page";
  if (q.with_body) {
    w.text += " WHERE before < ";
    w.add(static_cast<Int64>(kBytes));
  }
  w.text += order;
  std::vector<std::string> ids, types, specs, versions, keys;
  std::vector<Int64> dates;
  std::vector<BLOB> bodies;
  self.read([&](Session& s) {
    Statement st(s);
    st << self.sql(w.text);
    w.bind_to(st);
    st, into(ids), into(types), into(specs), into(versions), into(keys), into(dates);
    if (q.with_body) st, into(bodies);
    st.execute();
  });
  std::size_t bytes = 0;
  out.resize(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    StoredObject& o = out[i];
    o = StoredObject{std::move(ids[i]), std::move(types[i]), std::move(specs[i]), std::move(versions[i]),
                     std::move(keys[i]), Timestamp::from_micros(dates[i]), {}};
    if (q.with_body) o.body = from_blob(bodies[i]);
    bytes += o.body.size();
  }
  return bytes;
}

Status SqlStore::scan_objects(const ObjectQuery& q, const std::function<bool(StoredObject&)>& fn) {
  return guarded<Ok>("could not read the objects", [&]() -> Status {
    ObjectCursor cursor{std::numeric_limits<Int64>::min(), {}, {}};
    if (q.after) cursor = ObjectCursor{q.after->date_added.micros(), q.after->id, q.after->version_key};
    uint64_t remaining = q.limit == 0 ? std::numeric_limits<uint64_t>::max() : q.limit;
    std::vector<StoredObject> page;
    while (remaining > 0) {
      const auto want = static_cast<Int64>(std::min<uint64_t>(ObjectOps::kRows, remaining));
      page.clear();
      const std::size_t bytes = ObjectOps::fetch(*this, q, cursor, want, page);
      if (page.empty()) break;
      const StoredObject& last = page.back();
      cursor = ObjectCursor{last.date_added.micros(), last.id, last.version_key};
      remaining -= page.size();
      // A short page ends the scan unless the byte budget cut it.
      const bool more = static_cast<Int64>(page.size()) == want || bytes >= ObjectOps::kBytes;
      for (StoredObject& o : page)
        if (!fn(o)) return ok_status();
      if (!more) break;
    }
    return ok_status();
  });
}

// One statement: the rows to delete are chosen before any goes (the filters look at their
// siblings).
Result<uint64_t> SqlStore::delete_objects(const ObjectQuery& q) {
  return guarded<uint64_t>("could not delete the objects", [&]() -> Result<uint64_t> {
    Where w(q);
    w.text = "DELETE FROM objects WHERE collection = ";
    w.add(q.collection);
    w.text += " AND (id, version_key) IN (SELECT o.id, o.version_key FROM objects o WHERE ";
    w.all("o");
    w.text += ")";
    return changed(w.text, [&](Statement& st) { w.bind_to(st); });
  });
}

Result<std::optional<std::pair<Timestamp, Timestamp>>> SqlStore::added_range(std::string_view collection_id) {
  using R = std::optional<std::pair<Timestamp, Timestamp>>;
  return guarded<R>("could not read the collection", [&]() -> Result<R> {
    std::string c(collection_id);
    Nullable<Int64> first, last;
    read([&](Session& s) {
      s << sql("SELECT min(date_added), max(date_added) FROM objects WHERE collection = ?"), use(c), into(first),
          into(last), now;
    });
    if (first.isNull() || last.isNull()) return R{};
    return R{std::make_pair(Timestamp::from_micros(first.value()), Timestamp::from_micros(last.value()))};
  });
}

// --- Status resources -------------------------------------------------------------------------

Status SqlStore::put_status(const StatusRecord& r) {
  return guarded<Ok>("could not store the status", [&]() -> Status {
    Int64 complete = r.complete ? 1 : 0, requested = r.request_timestamp.micros(), updated = r.updated.micros();
    BLOB body = to_blob(r.body);
    write([&](Session& s) {
      s << sql("INSERT INTO statuses (id, api_root, owner, complete, request_timestamp, updated, body) "
               "VALUES (?, ?, ?, ?, ?, ?, " + bytes_param() + ") ON CONFLICT (id) DO UPDATE SET "
               "api_root = excluded.api_root, owner = excluded.owner, complete = excluded.complete, "
               "request_timestamp = excluded.request_timestamp, updated = excluded.updated, body = excluded.body"),
          useRef(r.id), useRef(r.api_root), useRef(r.owner), use(complete), use(requested), use(updated), use(body), now;
    });
    return ok_status();
  });
}

Result<std::optional<StatusRecord>> SqlStore::get_status(std::string_view id) {
  using R = std::optional<StatusRecord>;
  return guarded<R>("could not read the status", [&]() -> Result<R> {
    std::string key(id);
    std::vector<std::string> roots, owners;
    std::vector<Int64> complete, requested, updated;
    std::vector<BLOB> bodies;
    read([&](Session& s) {
      s << sql("SELECT api_root, owner, complete, request_timestamp, updated, body FROM statuses WHERE id = ?"),
          use(key), into(roots), into(owners), into(complete), into(requested), into(updated), into(bodies), now;
    });
    if (roots.empty()) return R{};
    return R{StatusRecord{key, roots[0], owners[0], complete[0] != 0, Timestamp::from_micros(requested[0]),
                          Timestamp::from_micros(updated[0]), from_blob(bodies[0])}};
  });
}

Result<uint64_t> SqlStore::expire_statuses(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire the statuses", [&]() -> Result<uint64_t> {
    Int64 c = cutoff.micros();
    return changed("DELETE FROM statuses WHERE complete = 1 AND updated < ?", [&](Statement& st) { st, use(c); });
  });
}

}  // namespace taxii::storage
