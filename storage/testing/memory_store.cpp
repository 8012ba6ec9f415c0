#include "storage/testing/memory_store.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <tuple>
#include <utility>

namespace taxii::storage::testing {
namespace {

constexpr std::size_t kBatchRows = 256;  // scan() hands out blocks in batches of this many
constexpr int64_t kDayMicros = int64_t{24} * 60 * 60 * 1000000;

// Services 1.1 §3.6.1 / §4.5: an entry without subtypes accepts every subtype and none; one
// with subtypes accepts only blocks carrying one of them (as the SQL stores' `subtype IN`).
bool binding_matches(const std::vector<BindingFilter>& filters, const StoredBlock& b) {
  if (filters.empty()) return true;
  for (const BindingFilter& f : filters) {
    if (f.binding_id != b.binding_id) continue;
    if (f.subtypes.empty()) return true;
    if (b.subtype && std::find(f.subtypes.begin(), f.subtypes.end(), *b.subtype) != f.subtypes.end()) return true;
  }
  return false;
}

// A copy of get(entry) of the entry under `key`, or nullopt.
template <class T, class Map, class Get>
std::optional<T> copy_of(const Map& m, std::string_view key, Get get) {
  const auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return get(it->second);
}

// Erases the entries created before `cutoff`; returns how many.
template <class Map, class Created>
uint64_t erase_older(Map& m, Timestamp cutoff, Created created) {
  uint64_t n = 0;
  for (auto it = m.begin(); it != m.end();) {
    const bool old = created(it->second) < cutoff;
    it = old ? m.erase(it) : std::next(it);
    n += old ? 1 : 0;
  }
  return n;
}

bool in_window(const ScanQuery& q, const std::optional<Timestamp>& after, const StoredBlock& b) {
  return (!after || b.label > *after) && (!q.until || b.label <= *q.until);
}

}  // namespace

// --- ContentStore ----------------------------------------------------------------------------

Status MemoryStore::ensure_collection(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  collections_.try_emplace(std::string(name));
  return ok_status();
}

Result<bool> MemoryStore::has_collection(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return collections_.find(name) != collections_.end();
}

Status MemoryStore::check_collections(const std::vector<std::string>& collections) const {
  for (const std::string& name : collections)
    if (collections_.find(name) == collections_.end())
      return Error::not_found("collection does not exist: " + name, name);
  return ok_status();
}

std::vector<std::vector<Timestamp>> MemoryStore::append_locked(const std::vector<std::string>& collections,
                                                               const std::vector<NewBlock>& blocks) {
  std::vector<std::vector<Timestamp>> out;
  const int64_t now = clock_.now().micros();
  for (const std::string& name : collections) {
    std::vector<StoredBlock>& stored = collections_.find(name)->second;
    // Services 1.1 §4.1.4: strictly increasing per collection; each block its own label.
    int64_t next = stored.empty() ? now : std::max(now, stored.back().label.micros() + 1);
    std::vector<Timestamp>& given = out.emplace_back();
    for (const NewBlock& nb : blocks) {
      StoredBlock b;
      b.id = next_id_++;
      b.collection = name;
      b.label = Timestamp::from_micros(next++);
      b.binding_id = nb.binding_id;
      b.subtype = nb.subtype;
      b.content = nb.content;
      b.message = nb.message;
      given.push_back(b.label);
      stored.push_back(std::move(b));
    }
  }
  return out;
}

Result<std::vector<std::vector<Timestamp>>> MemoryStore::append(const std::vector<std::string>& collections,
                                                                const std::vector<NewBlock>& blocks) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto st = check_collections(collections); !st.ok()) return st.error();
  return append_locked(collections, blocks);
}

std::vector<StoredBlock> MemoryStore::select(const ScanQuery& q, const std::optional<Timestamp>& after,
                                             std::size_t max) const {
  std::vector<StoredBlock> out;
  const auto it = collections_.find(q.collection);
  if (it == collections_.end()) return out;  // an unknown collection holds nothing
  const std::vector<StoredBlock>& blocks = it->second;
  auto from = blocks.begin();
  if (after)
    from = std::upper_bound(blocks.begin(), blocks.end(), *after,
                            [](const Timestamp& t, const StoredBlock& b) { return t < b.label; });
  for (auto b = from; b != blocks.end() && (max == 0 || out.size() < max); ++b) {
    if (!in_window(q, after, *b)) break;  // past `until`: labels only grow
    if (binding_matches(q.bindings, *b)) out.push_back(*b);
  }
  return out;
}

Status MemoryStore::scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) {
  // Keyset batches, as the SQL stores: the lock is not held while fn runs.
  std::optional<Timestamp> cursor = q.after;
  uint64_t remaining = q.limit == 0 ? std::numeric_limits<uint64_t>::max() : q.limit;
  while (remaining > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(kBatchRows, remaining));
    std::vector<StoredBlock> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch = select(q, cursor, want);
    }
    if (batch.empty()) break;
    cursor = batch.back().label;
    for (StoredBlock& b : batch)
      if (!fn(b)) return ok_status();
    if (batch.size() < want) break;
    remaining -= batch.size();
  }
  return ok_status();
}

Result<uint64_t> MemoryStore::count(const ScanQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = collections_.find(q.collection);
  if (it == collections_.end()) return uint64_t{0};
  uint64_t n = 0;
  for (const StoredBlock& b : it->second)
    if (in_window(q, q.after, b) && binding_matches(q.bindings, b) && (q.limit == 0 || n < q.limit)) ++n;
  return n;
}

Result<std::optional<Timestamp>> MemoryStore::latest_label(std::string_view collection) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = collections_.find(collection);
  if (it == collections_.end() || it->second.empty()) return std::optional<Timestamp>{};
  return std::optional<Timestamp>{it->second.back().label};
}

Result<uint64_t> MemoryStore::volume_last_day(std::string_view collection) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = collections_.find(collection);
  if (it == collections_.end()) return uint64_t{0};
  const int64_t since = clock_.now().micros() - kDayMicros;
  return static_cast<uint64_t>(std::count_if(it->second.begin(), it->second.end(),
                                             [&](const StoredBlock& b) { return b.label.micros() > since; }));
}

Result<SourceAppend> MemoryStore::append_from_source(const std::vector<std::string>& collections,
                                                     const std::vector<NewBlock>& blocks, const SourceMark& mark) {
  if (mark.labels.size() != blocks.size()) return Error::failure("append_from_source: one label per block");
  std::lock_guard<std::mutex> lock(mu_);
  if (auto st = check_collections(collections); !st.ok()) return st.error();
  const auto found = source_marks_.find(mark.source);
  const std::optional<Timestamp> seen =
      found == source_marks_.end() ? std::nullopt : std::optional<Timestamp>(found->second);
  std::optional<Timestamp> high = seen;
  const auto raise = [&high](Timestamp t) {
    if (!high || t > *high) high = t;
  };
  std::vector<NewBlock> kept;
  SourceAppend out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& label = mark.labels[i];
    if (label && seen && *label <= *seen) {
      ++out.skipped;
      continue;
    }
    if (label) raise(*label);
    kept.push_back(blocks[i]);
  }
  if (mark.through) raise(*mark.through);
  append_locked(collections, kept);
  if (high) source_marks_.insert_or_assign(mark.source, *high);
  out.appended = kept.size();
  return out;
}

// --- ResultStore -----------------------------------------------------------------------------

Status MemoryStore::put_result_set(const ResultSet& rs) {
  std::lock_guard<std::mutex> lock(mu_);
  // The SQL stores' foreign key: a result set belongs to an existing collection.
  if (collections_.find(rs.collection) == collections_.end()) return Error::failure("could not store the result set");
  results_[rs.result_id].set = rs;  // replaces the record, keeps its parts
  return ok_status();
}

Result<std::optional<ResultSet>> MemoryStore::get_result_set(std::string_view result_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return copy_of<ResultSet>(results_, result_id, [](const ResultEntry& e) { return e.set; });
}

Status MemoryStore::put_result_part(std::string_view result_id, const ResultPart& p) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = results_.find(result_id);
  if (it == results_.end()) return Error::failure("could not store the result part");
  it->second.parts[p.part_number] = p;
  return ok_status();
}

Result<std::optional<ResultPart>> MemoryStore::get_result_part(std::string_view result_id, uint64_t part_number) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = results_.find(result_id);
  if (it == results_.end()) return std::optional<ResultPart>{};
  const auto part = it->second.parts.find(part_number);
  if (part == it->second.parts.end()) return std::optional<ResultPart>{};
  return std::optional<ResultPart>{part->second};
}

Result<uint64_t> MemoryStore::expire_result_sets(Timestamp cutoff) {
  std::lock_guard<std::mutex> lock(mu_);
  return erase_older(results_, cutoff, [](const ResultEntry& e) { return e.set.created; });
}

Status MemoryStore::put_async_result(const AsyncResult& r) {
  std::lock_guard<std::mutex> lock(mu_);
  if (collections_.find(r.collection) == collections_.end())
    return Error::not_found("collection does not exist: " + r.collection, r.collection);
  async_.insert_or_assign(r.result_id, Leased<AsyncResult>{r, std::nullopt, next_order_++});
  return ok_status();
}

Result<std::optional<AsyncResult>> MemoryStore::get_async_result(std::string_view result_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return copy_of<AsyncResult>(async_, result_id, [](const Leased<AsyncResult>& e) { return e.record; });
}

bool MemoryStore::free_for(const std::optional<Lease>& lease, Timestamp now) { return !lease || lease->until <= now; }

template <class R>
bool MemoryStore::take_back(Leased<R>& entry, const std::string& worker) {
  if (!entry.lease || entry.lease->worker != worker) return false;
  entry.lease.reset();
  return true;
}

template <class R, class Due>
std::vector<R> MemoryStore::claim(std::map<std::string, Leased<R>, std::less<>>& entries, const ClaimLease& lease,
                                  std::size_t max, Due due) {
  std::vector<Leased<R>*> picked;
  for (auto& [id, e] : entries)
    if (free_for(e.lease, lease.now) && e.record.next_attempt <= lease.now && due(e.record)) picked.push_back(&e);
  const auto key = [](const Leased<R>* e) {
    return std::make_tuple(e->record.next_attempt.micros(), e->record.created.micros(), e->order);
  };
  std::sort(picked.begin(), picked.end(), [&](const Leased<R>* a, const Leased<R>* b) { return key(a) < key(b); });
  if (picked.size() > max) picked.resize(max);
  std::vector<R> out;
  for (Leased<R>* e : picked) {
    e->lease = Lease{lease.worker, lease.until};
    out.push_back(e->record);
  }
  return out;
}

Result<std::vector<AsyncResult>> MemoryStore::claim_async_work(const ClaimLease& lease, std::size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  return claim(async_, lease, max, [](const AsyncResult& r) {
    return r.state == AsyncState::Building ||
           (r.state == AsyncState::Ready && r.delivery && r.parts_pushed < r.total_parts);
  });
}

Result<bool> MemoryStore::release_async_result(const AsyncResult& r, const std::string& worker) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = async_.find(r.result_id);
  if (it == async_.end() || !take_back(it->second, worker)) return false;
  AsyncResult& k = it->second.record;
  std::tie(k.state, k.total_parts, k.parts_pushed, k.attempts, k.next_attempt, k.last_error) =
      std::tie(r.state, r.total_parts, r.parts_pushed, r.attempts, r.next_attempt, r.last_error);
  return true;
}

Result<uint64_t> MemoryStore::expire_async_results(Timestamp cutoff) {
  std::lock_guard<std::mutex> lock(mu_);
  return erase_older(async_, cutoff, [](const Leased<AsyncResult>& e) { return e.record.created; });
}

// --- SubscriptionStore -----------------------------------------------------------------------

Result<Subscription> MemoryStore::create_subscription(const Subscription& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (collections_.find(s.collection) == collections_.end())
    return Error::not_found("collection does not exist: " + s.collection, s.collection);
  for (const auto& [id, e] : subscriptions_)  // Services 1.1 §4.4.6 rule 5
    if (e.record.collection == s.collection && e.record.owner == s.owner && e.record.spec_key == s.spec_key)
      return e.record;
  Subscription stored = s;
  stored.attempts = 0;
  stored.next_attempt = Timestamp::from_micros(0);
  stored.last_error.reset();
  subscriptions_.insert_or_assign(s.id, Leased<Subscription>{stored, std::nullopt, next_order_++});
  return stored;
}

Result<std::optional<Subscription>> MemoryStore::get_subscription(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return copy_of<Subscription>(subscriptions_, id, [](const Leased<Subscription>& e) { return e.record; });
}

Result<std::vector<Subscription>> MemoryStore::list_subscriptions(std::string_view collection, std::string_view owner) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Subscription> out;
  for (const auto& [id, e] : subscriptions_)
    if (e.record.collection == collection && e.record.owner == owner) out.push_back(e.record);
  std::stable_sort(out.begin(), out.end(), [](const Subscription& a, const Subscription& b) {
    return std::make_pair(a.created.micros(), a.id) < std::make_pair(b.created.micros(), b.id);
  });
  return out;
}

Result<bool> MemoryStore::set_subscription_state(std::string_view id, SubscriptionState state) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = subscriptions_.find(id);
  if (it == subscriptions_.end()) return false;
  it->second.record.state = state;
  return true;
}

Result<bool> MemoryStore::delete_subscription(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return subscriptions_.erase(std::string(id)) > 0;
}

Status MemoryStore::advance_poll_cursor(std::string_view id, Timestamp through) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = subscriptions_.find(id);
  if (it == subscriptions_.end()) return ok_status();
  auto& cursor = it->second.record.poll_cursor;
  if (!cursor || *cursor < through) cursor = through;
  return ok_status();
}

bool MemoryStore::has_content_above(const std::string& collection, const std::optional<Timestamp>& cursor) const {
  const auto it = collections_.find(collection);
  if (it == collections_.end() || it->second.empty()) return false;
  return !cursor || it->second.back().label > *cursor;
}

Result<std::vector<Subscription>> MemoryStore::claim_push_work(const ClaimLease& lease, std::size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  return claim(subscriptions_, lease, max, [this](const Subscription& s) {
    return s.state == SubscriptionState::Active && s.push && has_content_above(s.collection, s.push_cursor);
  });
}

Result<bool> MemoryStore::complete_push(std::string_view id, const std::string& worker, Timestamp through) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = subscriptions_.find(id);
  if (it == subscriptions_.end() || !take_back(it->second, worker)) return false;
  Subscription& s = it->second.record;
  if (!s.push_cursor || *s.push_cursor < through) s.push_cursor = through;
  s.attempts = 0;
  s.next_attempt = Timestamp::from_micros(0);
  s.last_error.reset();
  return true;
}

Result<bool> MemoryStore::fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                                    const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = subscriptions_.find(id);
  if (it == subscriptions_.end() || !take_back(it->second, worker)) return false;
  Subscription& s = it->second.record;
  ++s.attempts;
  s.next_attempt = retry_at;
  s.last_error = error;
  return true;
}

// --- AccountStore ----------------------------------------------------------------------------

Status MemoryStore::put_account(const Account& a) {
  std::lock_guard<std::mutex> lock(mu_);
  accounts_.insert_or_assign(a.username, a);
  return ok_status();
}

Result<std::optional<MemoryStore::Account>> MemoryStore::get_account(std::string_view username) {
  std::lock_guard<std::mutex> lock(mu_);
  return copy_of<Account>(accounts_, username, [](const Account& a) { return a; });
}

Result<bool> MemoryStore::delete_account(std::string_view username) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = tokens_.begin(); it != tokens_.end();)
    it = it->second.username == username ? tokens_.erase(it) : std::next(it);
  return accounts_.erase(std::string(username)) > 0;
}

Result<std::vector<MemoryStore::Account>> MemoryStore::list_accounts() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Account> out;
  for (const auto& [name, a] : accounts_) out.push_back(a);
  return out;
}

Status MemoryStore::put_token(const Token& t) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, k] : tokens_)  // the SQL stores' unique hash
    if (k.hash == t.hash) return Error::failure("could not store the token");
  if (!tokens_.emplace(t.id, t).second) return Error::failure("could not store the token");
  return ok_status();
}

Result<std::optional<MemoryStore::Token>> MemoryStore::find_token(std::string_view hash) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, t] : tokens_)
    if (t.hash == hash) return std::optional<Token>{t};
  return std::optional<Token>{};
}

Result<std::vector<MemoryStore::Token>> MemoryStore::list_tokens(std::string_view username) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Token> out;
  for (const auto& [id, t] : tokens_)
    if (username.empty() || t.username == username) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const Token& a, const Token& b) {
    return std::make_tuple(a.username, a.created.micros(), a.id) < std::make_tuple(b.username, b.created.micros(), b.id);
  });
  return out;
}

Result<bool> MemoryStore::delete_token(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_.erase(std::string(id)) > 0;
}

}  // namespace taxii::storage::testing
