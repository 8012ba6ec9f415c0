// MemoryStore: the ObjectStore slice (storage/objects.hpp), kept simply: one ordered map of rows
// per collection and an (id, version_key) index. The filters are evaluated row by row in the
// order TAXII 2.1 §3.4.1 reads literally (docs/storage.md): id/type, added_after, spec_version
// (default: the highest per id), then the version per id over what is left.
#include <algorithm>
#include <limits>
#include <utility>

#include "storage/testing/memory_store.hpp"

namespace taxii::storage::testing {
namespace {

using Collection = detail::MemoryObjectCollection;
using Row = Collection::Row;

constexpr std::size_t kBatchRows = 256;  // scan_objects() hands out rows in batches of this many

bool listed(const std::vector<std::string>& list, const std::string& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

// Steps 2 and 3 of the evaluation: id, type, added_after.
bool base_match(const ObjectQuery& q, const StoredObject& o) {
  return listed(q.ids, o.id) && listed(q.types, o.type) && (!q.added_after || o.date_added > *q.added_after);
}

// Calls fn for every stored version of `id`.
template <class F>
void each_version(const Collection& c, const std::string& id, F&& fn) {
  for (auto it = c.versions.lower_bound({id, std::string()}); it != c.versions.end() && it->first.first == id; ++it)
    fn(c.rows.at(Collection::Key{it->second, id, it->first.second}).object);
}

bool spec_match(const Collection& c, const ObjectQuery& q, const StoredObject& o) {
  if (!q.spec_versions.empty()) return listed(q.spec_versions, o.spec_version);
  std::string highest;  // TAXII 2.1 §3.4.1: absent = the latest spec version per object
  each_version(c, o.id, [&](const StoredObject& v) {
    if (base_match(q, v)) highest = std::max(highest, v.spec_version);
  });
  return o.spec_version == highest;
}

bool version_match(const Collection& c, const ObjectQuery& q, const StoredObject& o) {
  if (q.all_versions) return true;
  if (listed(q.version_keys, o.version_key) && !q.version_keys.empty()) return true;
  if (!q.first && !q.last) return false;
  std::string first, last;  // over the versions of the id left by the other filters
  each_version(c, o.id, [&](const StoredObject& v) {
    if (!base_match(q, v) || !spec_match(c, q, v)) return;
    if (first.empty() || v.version_key < first) first = v.version_key;
    last = std::max(last, v.version_key);
  });
  return (q.first && o.version_key == first) || (q.last && o.version_key == last);
}

bool matches(const Collection& c, const ObjectQuery& q, const StoredObject& o) {
  return base_match(q, o) && spec_match(c, q, o) && version_match(c, q, o);
}

// The date_added of the id's first stored version, if any.
std::optional<int64_t> first_added(const Collection& c, const std::string& id) {
  std::optional<int64_t> out;
  for (auto it = c.versions.lower_bound({id, std::string()}); it != c.versions.end() && it->first.first == id; ++it)
    if (!out || it->second < *out) out = it->second;
  return out;
}

AddOutcome add_one(Collection& c, const NewObject& n, int64_t date_added) {
  std::string version = n.version, key = n.version_key;
  if (key.empty()) {  // an SCO: TAXII 2.1 §3.4.1, the date_added of its first version
    const Timestamp t = Timestamp::from_micros(first_added(c, n.id).value_or(date_added));
    version = t.to_string();
    key = version_key_of(t);
  }
  const auto found = c.versions.find({n.id, key});
  if (found != c.versions.end()) {
    const Row& row = c.rows.at(Collection::Key{found->second, n.id, key});
    const auto kind = row.digest == n.digest ? AddOutcome::Kind::Duplicate : AddOutcome::Kind::Conflict;
    return AddOutcome{kind, row.object.version, row.object.date_added};
  }
  Row row{StoredObject{n.id, n.type, n.spec_version, version, key, Timestamp::from_micros(date_added), n.body},
          n.digest};
  c.versions.emplace(std::make_pair(n.id, key), date_added);
  c.rows.emplace(Collection::Key{date_added, n.id, key}, std::move(row));
  return AddOutcome{AddOutcome::Kind::Added, version, Timestamp::from_micros(date_added)};
}

}  // namespace

Status MemoryStore::ensure_object_collection(std::string_view collection_id) {
  std::lock_guard<std::mutex> lock(mu_);
  object_collections_.try_emplace(std::string(collection_id));
  return ok_status();
}

Result<std::vector<AddOutcome>> MemoryStore::add_objects(std::string_view collection_id,
                                                         const std::vector<NewObject>& objects) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = object_collections_.find(collection_id);
  if (it == object_collections_.end())
    return Error::not_found("collection does not exist: " + std::string(collection_id), std::string(collection_id));
  Collection& c = it->second;
  // TAXII 2.1 §3.3, §5.5: one date_added per add, above every earlier one of the collection.
  const int64_t now = clock_.now().micros();
  const int64_t date_added = c.last_added ? std::max(now, *c.last_added + 1) : now;
  std::vector<AddOutcome> out;
  for (const NewObject& n : objects) out.push_back(add_one(c, n, date_added));
  const bool stored = std::any_of(out.begin(), out.end(),
                                  [](const AddOutcome& o) { return o.kind == AddOutcome::Kind::Added; });
  if (stored) c.last_added = date_added;
  return out;
}

Status MemoryStore::scan_objects(const ObjectQuery& q, const std::function<bool(StoredObject&)>& fn) {
  std::optional<Collection::Key> cursor;
  if (q.after) cursor = Collection::Key{q.after->date_added.micros(), q.after->id, q.after->version_key};
  uint64_t remaining = q.limit == 0 ? std::numeric_limits<uint64_t>::max() : q.limit;
  while (remaining > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(kBatchRows, remaining));
    std::vector<StoredObject> batch;
    bool more = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto c = object_collections_.find(q.collection);
      if (c == object_collections_.end()) return ok_status();
      const auto& rows = c->second.rows;
      for (auto it = cursor ? rows.upper_bound(*cursor) : rows.begin(); it != rows.end(); ++it) {
        if (batch.size() == want) {
          more = true;
          break;
        }
        cursor = it->first;
        if (!matches(c->second, q, it->second.object)) continue;
        batch.push_back(it->second.object);
        if (!q.with_body) batch.back().body.clear();
      }
    }
    for (StoredObject& o : batch)
      if (!fn(o)) return ok_status();
    if (!more) break;
    remaining -= batch.size();
  }
  return ok_status();
}

Result<uint64_t> MemoryStore::delete_objects(const ObjectQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = object_collections_.find(q.collection);
  if (it == object_collections_.end()) return uint64_t{0};
  Collection& c = it->second;
  std::vector<Collection::Key> doomed;  // decided before anything goes: the filters look at siblings
  for (const auto& [key, row] : c.rows)
    if (matches(c, q, row.object)) doomed.push_back(key);
  for (const Collection::Key& key : doomed) {
    c.versions.erase({std::get<1>(key), std::get<2>(key)});
    c.rows.erase(key);
  }
  return static_cast<uint64_t>(doomed.size());
}

Result<std::optional<std::pair<Timestamp, Timestamp>>> MemoryStore::added_range(std::string_view collection_id) {
  using R = std::optional<std::pair<Timestamp, Timestamp>>;
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = object_collections_.find(collection_id);
  if (it == object_collections_.end() || it->second.rows.empty()) return R{};
  const auto& rows = it->second.rows;
  return R{std::make_pair(rows.begin()->second.object.date_added, rows.rbegin()->second.object.date_added)};
}

Status MemoryStore::put_status(const StatusRecord& s) {
  std::lock_guard<std::mutex> lock(mu_);
  statuses_.insert_or_assign(s.id, s);
  return ok_status();
}

Result<std::optional<StatusRecord>> MemoryStore::get_status(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = statuses_.find(id);
  if (it == statuses_.end()) return std::optional<StatusRecord>{};
  return std::optional<StatusRecord>{it->second};
}

Result<uint64_t> MemoryStore::expire_statuses(Timestamp cutoff) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (auto it = statuses_.begin(); it != statuses_.end();) {
    const bool old = it->second.complete && it->second.updated < cutoff;
    it = old ? statuses_.erase(it) : std::next(it);
    n += old ? 1 : 0;
  }
  return n;
}

}  // namespace taxii::storage::testing
