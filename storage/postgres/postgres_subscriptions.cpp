// PostgresStore: subscriptions, push outbox, asynchronous results and inbox source marks
// (store.hpp, section "Subscriptions and push outbox (issue #6)"; schemas/postgres/002).
//
// Several instances share these tables. A claim runs in one transaction: SELECT ... FOR
// UPDATE SKIP LOCKED picks due rows nobody else is claiming right now, then the lease columns
// are set, so the row stays ours after COMMIT until the lease expires or we release it. A
// completion or failure is written only if we still hold the lease (a worker that stalled past
// its lease cannot move a cursor another worker has moved on).
#include <algorithm>
#include <exception>
#include <limits>
#include <string_view>
#include <utility>

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include "storage/adapter_guard.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/subscription_rows.hpp"

namespace taxii::storage {
namespace {

using Poco::Int64;
using Poco::Nullable;
using Poco::Data::BLOB;
using Poco::Data::Session;
using Poco::Data::Statement;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;
using PoolLease = PostgresPool::Lease;

// The shared row mapping (subscription_rows.hpp) and adapter boundary (adapter_guard.hpp).
using namespace detail;

constexpr Int64 kNoLabel = std::numeric_limits<Int64>::min();

// The adapter boundary (STYLE.md): nothing thrown by Poco or libpq leaves this file.
using detail::guarded;

bool collection_exists(Session& s, const std::string& name) {
  Int64 n = 0;
  std::string c = name;
  s << "SELECT count(*) FROM collections WHERE name = $1", use(c), into(n), now;
  return n != 0;
}




void take_leases(Session& s, const std::string& table, const std::string& key, const std::vector<std::string>& ids,
                 const ClaimLease& lease) {
  for (const std::string& id : ids) {
    std::string worker = lease.worker, rid = id;
    Int64 until = lease.until.micros();
    s << "UPDATE " + table + " SET lease_owner = $1, lease_until = $2 WHERE " + key + " = $3", use(worker),
        use(until), use(rid), now;
  }
}

}  // namespace

Result<Subscription> PostgresStore::create_subscription(const Subscription& in) {
  return guarded<Subscription>("could not store the subscription", [&]() -> Result<Subscription> {
    PoolLease s(*pool_);
    if (!collection_exists(*s, in.collection))
      return Error::not_found("collection does not exist: " + in.collection, in.collection);
    std::string id = in.id, collection = in.collection, owner = in.owner, key = in.spec_key;
    Int64 state = in.state == SubscriptionState::Paused ? 1 : 0;
    BLOB parameters = to_blob(in.parameters);
    Nullable<std::string> protocol, address, binding;
    if (in.push) {
      protocol = in.push->protocol_binding;
      address = in.push->address;
      binding = in.push->message_binding;
    }
    Int64 created = in.created.micros();
    Nullable<Int64> push_cursor = nlabel(in.push_cursor), poll_cursor = nlabel(in.poll_cursor);
    // Services 1.1 §4.4.6 rule 5: the unique index keeps one of two identical subscriptions,
    // even when two instances create them at the same moment.
    *s << "INSERT INTO subscriptions (subscription_id, collection, owner, spec_key, state, parameters, "
          "push_protocol, push_address, push_binding, created_at, push_cursor, poll_cursor) "
          "VALUES ($1, $2, $3, $4, $5, coalesce($6::bytea, ''::bytea), $7, $8, $9, $10, $11, $12) "
          "ON CONFLICT (collection, owner, spec_key) DO NOTHING",
        use(id), use(collection), use(owner), use(key), use(state), use(parameters), use(protocol), use(address),
        use(binding), use(created), use(push_cursor), use(poll_cursor), now;
    auto rows = select_subscriptions(*s, "WHERE collection = $1 AND owner = $2 AND spec_key = $3",
                                     {in.collection, in.owner, in.spec_key});
    if (rows.empty()) return Error::failure("could not store the subscription");
    return rows.front();
  });
}

Result<std::optional<Subscription>> PostgresStore::get_subscription(std::string_view id) {
  using R = std::optional<Subscription>;
  return guarded<R>("could not read the subscription", [&]() -> Result<R> {
    PoolLease s(*pool_);
    auto rows = select_subscriptions(*s, "WHERE subscription_id = $1", {std::string(id)});
    if (rows.empty()) return R{};
    return R{std::move(rows.front())};
  });
}

Result<std::vector<Subscription>> PostgresStore::list_subscriptions(std::string_view collection,
                                                                    std::string_view owner) {
  using R = std::vector<Subscription>;
  return guarded<R>("could not read the subscriptions", [&]() -> Result<R> {
    PoolLease s(*pool_);
    return select_subscriptions(*s, "WHERE collection = $1 AND owner = $2 ORDER BY created_at, subscription_id",
                                {std::string(collection), std::string(owner)});
  });
}

Result<bool> PostgresStore::set_subscription_state(std::string_view id, SubscriptionState state) {
  return guarded<bool>("could not change the subscription", [&]() -> Result<bool> {
    std::string sid(id);
    Int64 code = state == SubscriptionState::Paused ? 1 : 0;
    PoolLease s(*pool_);
    Statement st(*s);
    st << "UPDATE subscriptions SET state = $1 WHERE subscription_id = $2", use(code), use(sid);
    return st.execute() > 0;
  });
}

Result<bool> PostgresStore::delete_subscription(std::string_view id) {
  return guarded<bool>("could not delete the subscription", [&]() -> Result<bool> {
    std::string sid(id);
    PoolLease s(*pool_);
    Statement st(*s);
    st << "DELETE FROM subscriptions WHERE subscription_id = $1", use(sid);
    return st.execute() > 0;
  });
}

Status PostgresStore::advance_poll_cursor(std::string_view id, Timestamp through) {
  return guarded<Ok>("could not record the subscription's poll", [&]() -> Status {
    std::string sid(id);
    Int64 t = through.micros();
    PoolLease s(*pool_);
    *s << "UPDATE subscriptions SET poll_cursor = $1 WHERE subscription_id = $2 "
          "AND (poll_cursor IS NULL OR poll_cursor < $1)",
        use(t), use(sid), now;
    return ok_status();
  });
}

Result<std::vector<Subscription>> PostgresStore::claim_push_work(const ClaimLease& lease, std::size_t max) {
  using R = std::vector<Subscription>;
  return guarded<R>("could not claim push work", [&]() -> Result<R> {
    PoolLease s(*pool_);
    PostgresTransaction tx(*s);
    SubscriptionRows rows;
    Int64 at = lease.now.micros(), no_label = kNoLabel, limit = static_cast<Int64>(max);
    Statement st(*s);
    st << "SELECT " + std::string(kSubscriptionColumns) +
              " FROM subscriptions s WHERE state = 0 AND push_address IS NOT NULL AND next_attempt_at <= $1 "
              "AND (lease_until IS NULL OR lease_until <= $1) "
              "AND EXISTS (SELECT 1 FROM content_blocks b JOIN collections c ON c.id = b.collection_id "
              "WHERE c.name = s.collection AND b.label > coalesce(s.push_cursor, $2)) "
              "ORDER BY next_attempt_at, created_at LIMIT $3 FOR UPDATE OF s SKIP LOCKED",
        use(at), use(no_label), use(limit);
    rows.into_statement(st);
    st.execute();
    take_leases(*s, "subscriptions", "subscription_id", rows.id, lease);
    tx.commit();
    return rows.records();
  });
}

Result<bool> PostgresStore::complete_push(std::string_view id, const std::string& worker, Timestamp through) {
  return guarded<bool>("could not record the delivery", [&]() -> Result<bool> {
    std::string sid(id), w = worker;
    Int64 t = through.micros();
    PoolLease s(*pool_);
    Statement st(*s);
    st << "UPDATE subscriptions SET push_cursor = greatest(push_cursor, $1), attempts = 0, next_attempt_at = 0, "
          "last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE subscription_id = $2 AND lease_owner = $3",
        use(t), use(sid), use(w);
    return st.execute() > 0;
  });
}

Result<bool> PostgresStore::fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                                      const std::string& error) {
  return guarded<bool>("could not record the failed delivery", [&]() -> Result<bool> {
    std::string sid(id), w = worker, e = error;
    Int64 at = retry_at.micros();
    PoolLease s(*pool_);
    Statement st(*s);
    st << "UPDATE subscriptions SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, "
          "lease_owner = NULL, lease_until = NULL WHERE subscription_id = $3 AND lease_owner = $4",
        use(at), use(e), use(sid), use(w);
    return st.execute() > 0;
  });
}

Status PostgresStore::put_async_result(const AsyncResult& r) {
  return guarded<Ok>("could not store the asynchronous result", [&]() -> Status {
    PoolLease s(*pool_);
    if (!collection_exists(*s, r.collection))
      return Error::not_found("collection does not exist: " + r.collection, r.collection);
    std::string id = r.result_id, collection = r.collection;
    BLOB request = to_blob(r.request);
    Nullable<Int64> after = nlabel(r.after), until = nlabel(r.until);
    Int64 part_size = static_cast<Int64>(r.part_size), count_only = r.count_only ? 1 : 0;
    Int64 estimated = static_cast<Int64>(r.estimated_count), state = async_state_code(r.state);
    Nullable<std::string> protocol, address, binding;
    if (r.delivery) {
      protocol = r.delivery->protocol_binding;
      address = r.delivery->address;
      binding = r.delivery->message_binding;
    }
    Int64 total = static_cast<Int64>(r.total_parts), pushed = static_cast<Int64>(r.parts_pushed);
    Int64 created = r.created.micros(), attempts = r.attempts, next = r.next_attempt.micros();
    Nullable<std::string> error = nstr(r.last_error);
    *s << "INSERT INTO async_results (result_id, collection, request, after_label, until_label, part_size, "
          "count_only, estimated_count, delivery_protocol, delivery_address, delivery_binding, state, total_parts, "
          "parts_pushed, created_at, attempts, next_attempt_at, last_error) "
          "VALUES ($1, $2, coalesce($3::bytea, ''::bytea), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
          "$16, $17, $18) ON CONFLICT (result_id) DO UPDATE SET collection = excluded.collection, "
          "request = excluded.request, after_label = excluded.after_label, until_label = excluded.until_label, "
          "part_size = excluded.part_size, count_only = excluded.count_only, "
          "estimated_count = excluded.estimated_count, delivery_protocol = excluded.delivery_protocol, "
          "delivery_address = excluded.delivery_address, delivery_binding = excluded.delivery_binding, "
          "state = excluded.state, total_parts = excluded.total_parts, parts_pushed = excluded.parts_pushed, "
          "created_at = excluded.created_at, attempts = excluded.attempts, "
          "next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, lease_owner = NULL, "
          "lease_until = NULL",
        use(id), use(collection), use(request), use(after), use(until), use(part_size), use(count_only),
        use(estimated), use(protocol), use(address), use(binding), use(state), use(total), use(pushed),
        use(created), use(attempts), use(next), use(error), now;
    return ok_status();
  });
}

Result<std::optional<AsyncResult>> PostgresStore::get_async_result(std::string_view result_id) {
  using R = std::optional<AsyncResult>;
  return guarded<R>("could not read the asynchronous result", [&]() -> Result<R> {
    std::string id(result_id);
    AsyncRows rows;
    PoolLease s(*pool_);
    Statement st(*s);
    st << "SELECT " + std::string(kAsyncColumns) + " FROM async_results WHERE result_id = $1", use(id);
    rows.into_statement(st);
    st.execute();
    auto records = rows.records();
    if (records.empty()) return R{};
    return R{std::move(records.front())};
  });
}

Result<std::vector<AsyncResult>> PostgresStore::claim_async_work(const ClaimLease& lease, std::size_t max) {
  using R = std::vector<AsyncResult>;
  return guarded<R>("could not claim asynchronous work", [&]() -> Result<R> {
    PoolLease s(*pool_);
    PostgresTransaction tx(*s);
    AsyncRows rows;
    Int64 at = lease.now.micros(), limit = static_cast<Int64>(max);
    Statement st(*s);
    st << "SELECT " + std::string(kAsyncColumns) +
              " FROM async_results WHERE (state = 0 OR (state = 1 AND delivery_address IS NOT NULL AND "
              "parts_pushed < total_parts)) AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) "
              "ORDER BY next_attempt_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        use(at), use(limit);
    rows.into_statement(st);
    st.execute();
    take_leases(*s, "async_results", "result_id", rows.id, lease);
    tx.commit();
    return rows.records();
  });
}

Result<bool> PostgresStore::release_async_result(const AsyncResult& r, const std::string& worker) {
  return guarded<bool>("could not update the asynchronous result", [&]() -> Result<bool> {
    std::string id = r.result_id, w = worker;
    Int64 state = async_state_code(r.state), total = static_cast<Int64>(r.total_parts);
    Int64 pushed = static_cast<Int64>(r.parts_pushed), attempts = r.attempts, next = r.next_attempt.micros();
    Nullable<std::string> error = nstr(r.last_error);
    PoolLease s(*pool_);
    Statement st(*s);
    st << "UPDATE async_results SET state = $1, total_parts = $2, parts_pushed = $3, attempts = $4, "
          "next_attempt_at = $5, last_error = $6, lease_owner = NULL, lease_until = NULL "
          "WHERE result_id = $7 AND lease_owner = $8",
        use(state), use(total), use(pushed), use(attempts), use(next), use(error), use(id), use(w);
    return st.execute() > 0;
  });
}

Result<uint64_t> PostgresStore::expire_async_results(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire asynchronous results", [&]() -> Result<uint64_t> {
    Int64 before = cutoff.micros();
    PoolLease s(*pool_);
    Statement st(*s);
    st << "DELETE FROM async_results WHERE created_at < $1", use(before);
    return static_cast<uint64_t>(st.execute());
  });
}

Result<SourceAppend> PostgresStore::append_from_source(const std::vector<std::string>& collections,
                                                       const std::vector<NewBlock>& blocks, const SourceMark& mark) {
  return guarded<SourceAppend>("could not store the content blocks", [&]() -> Result<SourceAppend> {
    if (mark.labels.size() != blocks.size()) return Error::failure("append_from_source: one label per block");
    std::string source = mark.source;
    Int64 no_label = kNoLabel, at = options_.clock().micros();
    PoolLease s(*pool_);
    PostgresTransaction tx(*s);
    // The source's row is the lock: two deliveries from one source (a re-send racing the
    // original on another instance) are stored one after the other, the second skipping.
    *s << "INSERT INTO inbox_sources (source, last_label, updated_at) VALUES ($1, $2, $3) "
          "ON CONFLICT (source) DO NOTHING",
        use(source), use(no_label), use(at), now;
    Int64 seen = no_label;
    *s << "SELECT last_label FROM inbox_sources WHERE source = $1 FOR UPDATE", use(source), into(seen), now;
    Int64 high = seen;
    std::vector<NewBlock> kept;
    SourceAppend out;
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
    auto appended = append_in(*s, collections, kept);
    if (!appended.ok()) return appended.error();
    if (high != seen)
      *s << "UPDATE inbox_sources SET last_label = $1, updated_at = $2 WHERE source = $3", use(high), use(at),
          use(source), now;
    tx.commit();
    out.appended = kept.size();
    return out;
  });
}

}  // namespace taxii::storage
