// SqlStore: subscriptions, push outbox, asynchronous results and inbox source marks (store.hpp,
// section "Subscriptions and push outbox (issue #6)"; schemas/shared/002_subscriptions.sql).
//
// A claim runs in one transaction: it selects due rows nobody else holds a live lease on
// (PostgreSQL also skips rows another instance is claiming right now, FOR UPDATE SKIP LOCKED;
// SQLite's transaction holds the database write lock), then sets the lease columns, so the row
// stays ours after COMMIT until the lease expires or we release it. A completion or failure is
// written only if we still hold the lease (a worker that stalled past its lease cannot move a
// cursor another worker has moved on).
#include <algorithm>
#include <limits>
#include <utility>

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
using Session = SqlStore::Session;

constexpr Int64 kNoLabel = std::numeric_limits<Int64>::min();

// Sets the lease on the claimed rows of `table` keyed by `key`; `update` is the rendered
// "UPDATE <table> SET lease_owner = ?, lease_until = ? WHERE <key> = ?".
void take_leases(Session& s, const std::string& update, const std::vector<std::string>& ids,
                 const ClaimLease& lease) {
  for (const std::string& id : ids) {
    std::string worker = lease.worker, rid = id;
    Int64 until = lease.until.micros();
    s << update, use(worker), use(until), use(rid), now;
  }
}

// Push targets (Push_Parameters, Delivery_Parameters) as three nullable columns.
struct TargetColumns {
  Nullable<std::string> protocol, address, binding;
  explicit TargetColumns(const std::optional<PushTarget>& t) {
    if (!t) return;
    protocol = t->protocol_binding;
    address = t->address;
    binding = t->message_binding;
  }
};

}  // namespace

Result<Subscription> SqlStore::create_subscription(const Subscription& in) {
  return guarded<Subscription>("could not store the subscription", [&]() -> Result<Subscription> {
    std::string id = in.id, collection = in.collection, owner = in.owner, key = in.spec_key;
    Int64 state = subscription_state_code(in.state);
    BLOB parameters = to_blob(in.parameters);
    TargetColumns push(in.push);
    Int64 created = in.created.micros();
    Nullable<Int64> push_cursor = nlabel(in.push_cursor), poll_cursor = nlabel(in.poll_cursor);
    SubscriptionRows rows;
    bool known = false;
    write([&](Session& s) {
      if (!(known = collection_id(s, collection).has_value())) return;
      // Services 1.1 §4.4.6 rule 5: the unique index keeps one of two identical subscriptions,
      // even when two instances create them at the same moment.
      s << sql("INSERT INTO subscriptions (subscription_id, collection, owner, spec_key, state, parameters, "
               "push_protocol, push_address, push_binding, created_at, push_cursor, poll_cursor) "
               "VALUES (?, ?, ?, ?, ?, " + bytes_param() + ", ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (collection, owner, spec_key) DO NOTHING"),
          use(id), use(collection), use(owner), use(key), use(state), use(parameters), use(push.protocol),
          use(push.address), use(push.binding), use(created), use(push_cursor), use(poll_cursor), now;
      Statement st(s);
      st << sql("SELECT " + std::string(kSubscriptionColumns) +
                " FROM subscriptions WHERE collection = ? AND owner = ? AND spec_key = ?"),
          use(collection), use(owner), use(key);
      rows.into_statement(st);
      st.execute();
    });
    if (!known) return Error::not_found("collection does not exist: " + in.collection, in.collection);
    auto stored = rows.records();
    if (stored.empty()) return Error::failure("could not store the subscription");
    return stored.front();
  });
}

Result<std::optional<Subscription>> SqlStore::get_subscription(std::string_view id) {
  using R = std::optional<Subscription>;
  return guarded<R>("could not read the subscription", [&]() -> Result<R> {
    std::string sid(id);
    SubscriptionRows rows;
    read([&](Session& s) {
      Statement st(s);
      st << sql("SELECT " + std::string(kSubscriptionColumns) + " FROM subscriptions WHERE subscription_id = ?"),
          use(sid);
      rows.into_statement(st);
      st.execute();
    });
    auto records = rows.records();
    if (records.empty()) return R{};
    return R{std::move(records.front())};
  });
}

Result<std::vector<Subscription>> SqlStore::list_subscriptions(std::string_view collection, std::string_view owner) {
  using R = std::vector<Subscription>;
  return guarded<R>("could not read the subscriptions", [&]() -> Result<R> {
    std::string c(collection), o(owner);
    SubscriptionRows rows;
    read([&](Session& s) {
      Statement st(s);
      st << sql("SELECT " + std::string(kSubscriptionColumns) +
                " FROM subscriptions WHERE collection = ? AND owner = ? ORDER BY created_at, subscription_id"),
          use(c), use(o);
      rows.into_statement(st);
      st.execute();
    });
    return rows.records();
  });
}

Result<bool> SqlStore::set_subscription_state(std::string_view id, SubscriptionState state) {
  return guarded<bool>("could not change the subscription", [&]() -> Result<bool> {
    std::string sid(id);
    Int64 code = subscription_state_code(state);
    return changed("UPDATE subscriptions SET state = ? WHERE subscription_id = ?",
                   [&](Statement& st) { st, use(code), use(sid); }) > 0;
  });
}

Result<bool> SqlStore::delete_subscription(std::string_view id) {
  return guarded<bool>("could not delete the subscription", [&]() -> Result<bool> {
    std::string sid(id);
    return changed("DELETE FROM subscriptions WHERE subscription_id = ?",
                   [&](Statement& st) { st, use(sid); }) > 0;
  });
}

Status SqlStore::advance_poll_cursor(std::string_view id, Timestamp through) {
  return guarded<Ok>("could not record the subscription's poll", [&]() -> Status {
    std::string sid(id);
    Int64 t = through.micros();
    write([&](Session& s) {
      s << sql("UPDATE subscriptions SET poll_cursor = ? WHERE subscription_id = ? "
               "AND (poll_cursor IS NULL OR poll_cursor < ?)"),
          use(t), use(sid), use(t), now;
    });
    return ok_status();
  });
}

Result<std::vector<Subscription>> SqlStore::claim_push_work(const ClaimLease& lease, std::size_t max) {
  using R = std::vector<Subscription>;
  return guarded<R>("could not claim push work", [&]() -> Result<R> {
    // Subscriptions due now with content above their cursor.
    static const std::string kDue =
        " FROM subscriptions s WHERE state = 0 AND push_address IS NOT NULL AND next_attempt_at <= ? "
        "AND (lease_until IS NULL OR lease_until <= ?) "
        "AND EXISTS (SELECT 1 FROM content_blocks b JOIN collections c ON c.id = b.collection_id "
        "WHERE c.name = s.collection AND b.label > coalesce(s.push_cursor, ?))";
    // Every stored block wakes the outbox: most rounds find nothing.
    Int64 at = lease.now.micros(), no_label = kNoLabel, limit = static_cast<Int64>(max);
    if (!worth_claiming(sql("SELECT EXISTS (SELECT 1" + kDue + ")"), {at, at, no_label})) return R{};
    SubscriptionRows rows;
    const Status claimed = transaction([&](Session& s) -> Status {
      Statement st(s);
      st << sql("SELECT " + std::string(kSubscriptionColumns) + kDue + " ORDER BY next_attempt_at, created_at LIMIT ?" +
                lock_clause("s", true)),
          use(at), use(at), use(no_label), use(limit);
      rows.into_statement(st);
      st.execute();
      take_leases(s, sql("UPDATE subscriptions SET lease_owner = ?, lease_until = ? WHERE subscription_id = ?"),
                  rows.id, lease);
      return ok_status();
    });
    if (!claimed.ok()) return claimed.error();
    return rows.records();
  });
}

Result<bool> SqlStore::complete_push(std::string_view id, const std::string& worker, Timestamp through) {
  return guarded<bool>("could not record the delivery", [&]() -> Result<bool> {
    std::string sid(id), w = worker;
    Int64 t = through.micros();
    return changed("UPDATE subscriptions SET push_cursor = CASE WHEN push_cursor IS NULL OR push_cursor < ? THEN ? "
                   "ELSE push_cursor END, attempts = 0, next_attempt_at = 0, last_error = NULL, lease_owner = NULL, "
                   "lease_until = NULL WHERE subscription_id = ? AND lease_owner = ?",
                   [&](Statement& st) { st, use(t), use(t), use(sid), use(w); }) > 0;
  });
}

Result<bool> SqlStore::fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                                 const std::string& error) {
  return guarded<bool>("could not record the failed delivery", [&]() -> Result<bool> {
    std::string sid(id), w = worker, e = error;
    Int64 at = retry_at.micros();
    return changed("UPDATE subscriptions SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
                   "lease_owner = NULL, lease_until = NULL WHERE subscription_id = ? AND lease_owner = ?",
                   [&](Statement& st) { st, use(at), use(e), use(sid), use(w); }) > 0;
  });
}

Status SqlStore::put_async_result(const AsyncResult& r) {
  return guarded<Ok>("could not store the asynchronous result", [&]() -> Status {
    std::string id = r.result_id, collection = r.collection;
    BLOB request = to_blob(r.request);
    Nullable<Int64> after = nlabel(r.after), until = nlabel(r.until);
    Int64 part_size = static_cast<Int64>(r.part_size), count_only = r.count_only ? 1 : 0;
    Int64 estimated = static_cast<Int64>(r.estimated_count), state = async_state_code(r.state);
    TargetColumns delivery(r.delivery);
    Int64 total = static_cast<Int64>(r.total_parts), pushed = static_cast<Int64>(r.parts_pushed);
    Int64 created = r.created.micros(), attempts = r.attempts, next = r.next_attempt.micros();
    Nullable<std::string> error = nstr(r.last_error);
    bool known = false;
    write([&](Session& s) {
      if (!(known = collection_id(s, collection).has_value())) return;
      s << sql("INSERT INTO async_results (result_id, collection, request, after_label, until_label, part_size, "
               "count_only, estimated_count, delivery_protocol, delivery_address, delivery_binding, state, "
               "total_parts, parts_pushed, created_at, attempts, next_attempt_at, last_error) "
               "VALUES (?, ?, " + bytes_param() + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (result_id) DO UPDATE SET collection = excluded.collection, "
               "request = excluded.request, after_label = excluded.after_label, until_label = excluded.until_label, "
               "part_size = excluded.part_size, count_only = excluded.count_only, "
               "estimated_count = excluded.estimated_count, delivery_protocol = excluded.delivery_protocol, "
               "delivery_address = excluded.delivery_address, delivery_binding = excluded.delivery_binding, "
               "state = excluded.state, total_parts = excluded.total_parts, parts_pushed = excluded.parts_pushed, "
               "created_at = excluded.created_at, attempts = excluded.attempts, "
               "next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, lease_owner = NULL, "
               "lease_until = NULL"),
          use(id), use(collection), use(request), use(after), use(until), use(part_size), use(count_only),
          use(estimated), use(delivery.protocol), use(delivery.address), use(delivery.binding), use(state),
          use(total), use(pushed), use(created), use(attempts), use(next), use(error), now;
    });
    if (!known) return Error::not_found("collection does not exist: " + r.collection, r.collection);
    return ok_status();
  });
}

Result<std::optional<AsyncResult>> SqlStore::get_async_result(std::string_view result_id) {
  using R = std::optional<AsyncResult>;
  return guarded<R>("could not read the asynchronous result", [&]() -> Result<R> {
    std::string id(result_id);
    AsyncRows rows;
    read([&](Session& s) {
      Statement st(s);
      st << sql("SELECT " + std::string(kAsyncColumns) + " FROM async_results WHERE result_id = ?"), use(id);
      rows.into_statement(st);
      st.execute();
    });
    auto records = rows.records();
    if (records.empty()) return R{};
    return R{std::move(records.front())};
  });
}

Result<std::vector<AsyncResult>> SqlStore::claim_async_work(const ClaimLease& lease, std::size_t max) {
  using R = std::vector<AsyncResult>;
  return guarded<R>("could not claim asynchronous work", [&]() -> Result<R> {
    // Results to build, or built with parts still to push, due now and not leased.
    static const std::string kDue =
        " FROM async_results WHERE (state = 0 OR (state = 1 AND delivery_address IS NOT NULL AND "
        "parts_pushed < total_parts)) AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)";
    Int64 at = lease.now.micros(), limit = static_cast<Int64>(max);
    if (!worth_claiming(sql("SELECT EXISTS (SELECT 1" + kDue + ")"), {at, at})) return R{};
    AsyncRows rows;
    const Status claimed = transaction([&](Session& s) -> Status {
      Statement st(s);
      st << sql("SELECT " + std::string(kAsyncColumns) + kDue + " ORDER BY next_attempt_at, created_at LIMIT ?" +
                lock_clause("", true)),
          use(at), use(at), use(limit);
      rows.into_statement(st);
      st.execute();
      take_leases(s, sql("UPDATE async_results SET lease_owner = ?, lease_until = ? WHERE result_id = ?"), rows.id,
                  lease);
      return ok_status();
    });
    if (!claimed.ok()) return claimed.error();
    return rows.records();
  });
}

Result<bool> SqlStore::release_async_result(const AsyncResult& r, const std::string& worker) {
  return guarded<bool>("could not update the asynchronous result", [&]() -> Result<bool> {
    std::string id = r.result_id, w = worker;
    Int64 state = async_state_code(r.state), total = static_cast<Int64>(r.total_parts);
    Int64 pushed = static_cast<Int64>(r.parts_pushed), attempts = r.attempts, next = r.next_attempt.micros();
    Nullable<std::string> error = nstr(r.last_error);
    return changed("UPDATE async_results SET state = ?, total_parts = ?, parts_pushed = ?, attempts = ?, "
                   "next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL "
                   "WHERE result_id = ? AND lease_owner = ?",
                   [&](Statement& st) {
                     st, use(state), use(total), use(pushed), use(attempts), use(next), use(error), use(id), use(w);
                   }) > 0;
  });
}

Result<uint64_t> SqlStore::expire_async_results(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire asynchronous results", [&]() -> Result<uint64_t> {
    Int64 before = cutoff.micros();
    return changed("DELETE FROM async_results WHERE created_at < ?", [&](Statement& st) { st, use(before); });
  });
}

Result<SourceAppend> SqlStore::append_from_source(const std::vector<std::string>& collections,
                                                  const std::vector<NewBlock>& blocks, const SourceMark& mark) {
  return guarded<SourceAppend>("could not store the content blocks", [&]() -> Result<SourceAppend> {
    if (mark.labels.size() != blocks.size()) return Error::failure("append_from_source: one label per block");
    std::string source = mark.source;
    Int64 no_label = kNoLabel;
    SourceAppend out;
    const Status stored = transaction([&](Session& s) -> Status {
      Int64 at = clock_().micros();
      // The source's row is the lock: two deliveries from one source (a re-send racing the
      // original on another instance) are stored one after the other, the second skipping.
      s << sql("INSERT INTO inbox_sources (source, last_label, updated_at) VALUES (?, ?, ?) "
               "ON CONFLICT (source) DO NOTHING"),
          use(source), use(no_label), use(at), now;
      Int64 seen = no_label;
      s << sql("SELECT last_label FROM inbox_sources WHERE source = ?" + lock_clause("", false)), use(source),
          into(seen), now;
      Int64 high = seen;
      std::vector<NewBlock> kept;
      for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto& label = mark.labels[i];
        if (label && label->micros() <= seen) {
          ++out.skipped;
          continue;
        }
        if (label) high = std::max(high, label->micros());
        kept.push_back(blocks[i]);
      }
      if (mark.through) high = std::max(high, mark.through->micros());
      auto appended = append_in(s, collections, kept);
      if (!appended.ok()) return appended.error();
      if (high != seen)
        s << sql("UPDATE inbox_sources SET last_label = ?, updated_at = ? WHERE source = ?"), use(high), use(at),
            use(source), now;
      out.appended = kept.size();
      return ok_status();
    });
    if (!stored.ok()) return stored.error();
    return out;
  });
}

}  // namespace taxii::storage
