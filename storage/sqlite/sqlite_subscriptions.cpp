// SqliteStore: subscriptions, push outbox, asynchronous results and inbox source marks
// (store.hpp, section "Subscriptions and push outbox (issue #6)"; schemas/sqlite/002).
//
// Every call runs on the writer session under write_mu_; the claiming calls take the database
// write lock first (BEGIN IMMEDIATE), so a claim is atomic even with several processes on one
// file. Leases make claims exclusive over time (a crashed worker's claim expires).
#include <algorithm>
#include <exception>
#include <iostream>
#include <limits>
#include <mutex>
#include <sstream>
#include <string_view>
#include <utility>

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include "storage/adapter_guard.hpp"
#include "storage/sqlite/sqlite_transaction.hpp"
#include "storage/sqlite/sqlite_store.hpp"
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

// The shared row mapping (subscription_rows.hpp) and adapter boundary (adapter_guard.hpp).
using namespace detail;

constexpr Int64 kNoLabel = std::numeric_limits<Int64>::min();

using detail::guarded;
using detail::log_error;

using WriteTransaction = detail::SqliteWriteTransaction;

bool collection_exists(Session& s, const std::string& name) {
  Int64 n = 0;
  std::string c = name;
  s << "SELECT count(*) FROM collections WHERE name = ?", use(c), into(n), now;
  return n != 0;
}



std::vector<AsyncResult> select_async(Session& s, const std::string& where, Int64 a, Int64 b, Int64 limit) {
  AsyncRows rows;
  Statement st(s);
  st << "SELECT " + std::string(kAsyncColumns) + " FROM async_results " + where, use(a), use(b), use(limit);
  rows.into_statement(st);
  st.execute();
  return rows.records();
}


// Sets the lease on the claimed rows of `table` keyed by `key`.
void take_leases(Session& s, const std::string& table, const std::string& key, const std::vector<std::string>& ids,
                 const ClaimLease& lease) {
  for (const std::string& id : ids) {
    std::string worker = lease.worker, rid = id;
    Int64 until = lease.until.micros();
    s << "UPDATE " + table + " SET lease_owner = ?, lease_until = ? WHERE " + key + " = ?", use(worker), use(until),
        use(rid), now;
  }
}

}  // namespace

Result<Subscription> SqliteStore::create_subscription(const Subscription& in) {
  return guarded<Subscription>("could not store the subscription", [&]() -> Result<Subscription> {
    std::lock_guard<std::mutex> lock(write_mu_);
    WriteTransaction tx(*writer_);
    if (!collection_exists(*writer_, in.collection))
      return Error::not_found("collection does not exist: " + in.collection, in.collection);
    auto existing = select_subscriptions(*writer_, "WHERE collection = ? AND owner = ? AND spec_key = ?",
                                         {in.collection, in.owner, in.spec_key});
    if (!existing.empty()) return existing.front();  // Services 1.1 §4.4.6 rule 5
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
    *writer_ << "INSERT INTO subscriptions (subscription_id, collection, owner, spec_key, state, parameters, "
                "push_protocol, push_address, push_binding, created_at, push_cursor, poll_cursor) "
                "VALUES (?, ?, ?, ?, ?, coalesce(?, X''), ?, ?, ?, ?, ?, ?)",
        use(id), use(collection), use(owner), use(key), use(state), use(parameters), use(protocol), use(address),
        use(binding), use(created), use(push_cursor), use(poll_cursor), now;
    tx.commit();
    Subscription out = in;
    out.attempts = 0;
    out.next_attempt = Timestamp::from_micros(0);
    out.last_error.reset();
    return out;
  });
}

Result<std::optional<Subscription>> SqliteStore::get_subscription(std::string_view id) {
  using R = std::optional<Subscription>;
  return guarded<R>("could not read the subscription", [&]() -> Result<R> {
    std::lock_guard<std::mutex> lock(write_mu_);
    auto rows = select_subscriptions(*writer_, "WHERE subscription_id = ?", {std::string(id)});
    if (rows.empty()) return R{};
    return R{std::move(rows.front())};
  });
}

Result<std::vector<Subscription>> SqliteStore::list_subscriptions(std::string_view collection,
                                                                  std::string_view owner) {
  using R = std::vector<Subscription>;
  return guarded<R>("could not read the subscriptions", [&]() -> Result<R> {
    std::lock_guard<std::mutex> lock(write_mu_);
    return select_subscriptions(*writer_, "WHERE collection = ? AND owner = ? ORDER BY created_at, subscription_id",
                                {std::string(collection), std::string(owner)});
  });
}

Result<bool> SqliteStore::set_subscription_state(std::string_view id, SubscriptionState state) {
  return guarded<bool>("could not change the subscription", [&]() -> Result<bool> {
    std::string sid(id);
    Int64 code = state == SubscriptionState::Paused ? 1 : 0;
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "UPDATE subscriptions SET state = ? WHERE subscription_id = ?", use(code), use(sid);
    return st.execute() > 0;
  });
}

Result<bool> SqliteStore::delete_subscription(std::string_view id) {
  return guarded<bool>("could not delete the subscription", [&]() -> Result<bool> {
    std::string sid(id);
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "DELETE FROM subscriptions WHERE subscription_id = ?", use(sid);
    return st.execute() > 0;
  });
}

Status SqliteStore::advance_poll_cursor(std::string_view id, Timestamp through) {
  return guarded<Ok>("could not record the subscription's poll", [&]() -> Status {
    std::string sid(id);
    Int64 t = through.micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    *writer_ << "UPDATE subscriptions SET poll_cursor = ? WHERE subscription_id = ? "
                "AND (poll_cursor IS NULL OR poll_cursor < ?)",
        use(t), use(sid), use(t), now;
    return ok_status();
  });
}

Result<std::vector<Subscription>> SqliteStore::claim_push_work(const ClaimLease& lease, std::size_t max) {
  using R = std::vector<Subscription>;
  return guarded<R>("could not claim push work", [&]() -> Result<R> {
    // Subscriptions due now with content above their cursor.
    static const std::string kDue =
        " FROM subscriptions s WHERE state = 0 AND push_address IS NOT NULL AND next_attempt_at <= ? "
        "AND (lease_until IS NULL OR lease_until <= ?) "
        "AND EXISTS (SELECT 1 FROM content_blocks b JOIN collections c ON c.id = b.collection_id "
        "WHERE c.name = s.collection AND b.label > coalesce(s.push_cursor, ?))";
    // Every stored block wakes the outbox: most rounds find nothing, and find it on a reader.
    Int64 at = lease.now.micros(), no_label = kNoLabel, limit = static_cast<Int64>(max);
    if (!any_on_reader("SELECT EXISTS (SELECT 1" + kDue + ")", {at, at, no_label})) return R{};
    std::lock_guard<std::mutex> lock(write_mu_);
    WriteTransaction tx(*writer_);
    SubscriptionRows rows;
    Statement st(*writer_);
    st << "SELECT " + std::string(kSubscriptionColumns) + kDue + " ORDER BY next_attempt_at, created_at LIMIT ?",
        use(at), use(at), use(no_label), use(limit);
    rows.into_statement(st);
    st.execute();
    take_leases(*writer_, "subscriptions", "subscription_id", rows.id, lease);
    tx.commit();
    return rows.records();
  });
}

Result<bool> SqliteStore::complete_push(std::string_view id, const std::string& worker, Timestamp through) {
  return guarded<bool>("could not record the delivery", [&]() -> Result<bool> {
    std::string sid(id), w = worker;
    Int64 t = through.micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "UPDATE subscriptions SET push_cursor = CASE WHEN push_cursor IS NULL OR push_cursor < ? THEN ? "
          "ELSE push_cursor END, attempts = 0, next_attempt_at = 0, last_error = NULL, lease_owner = NULL, "
          "lease_until = NULL WHERE subscription_id = ? AND lease_owner = ?",
        use(t), use(t), use(sid), use(w);
    return st.execute() > 0;
  });
}

Result<bool> SqliteStore::fail_push(std::string_view id, const std::string& worker, Timestamp retry_at,
                                    const std::string& error) {
  return guarded<bool>("could not record the failed delivery", [&]() -> Result<bool> {
    std::string sid(id), w = worker, e = error;
    Int64 at = retry_at.micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "UPDATE subscriptions SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
          "lease_owner = NULL, lease_until = NULL WHERE subscription_id = ? AND lease_owner = ?",
        use(at), use(e), use(sid), use(w);
    return st.execute() > 0;
  });
}

Status SqliteStore::put_async_result(const AsyncResult& r) {
  return guarded<Ok>("could not store the asynchronous result", [&]() -> Status {
    std::lock_guard<std::mutex> lock(write_mu_);
    WriteTransaction tx(*writer_);
    if (!collection_exists(*writer_, r.collection))
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
    *writer_ << "INSERT OR REPLACE INTO async_results (result_id, collection, request, after_label, until_label, "
                "part_size, count_only, estimated_count, delivery_protocol, delivery_address, delivery_binding, "
                "state, total_parts, parts_pushed, created_at, attempts, next_attempt_at, last_error) "
                "VALUES (?, ?, coalesce(?, X''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(collection), use(request), use(after), use(until), use(part_size), use(count_only),
        use(estimated), use(protocol), use(address), use(binding), use(state), use(total), use(pushed),
        use(created), use(attempts), use(next), use(error), now;
    tx.commit();
    return ok_status();
  });
}

Result<std::optional<AsyncResult>> SqliteStore::get_async_result(std::string_view result_id) {
  using R = std::optional<AsyncResult>;
  return guarded<R>("could not read the asynchronous result", [&]() -> Result<R> {
    std::string id(result_id);
    AsyncRows rows;
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "SELECT " + std::string(kAsyncColumns) + " FROM async_results WHERE result_id = ?", use(id);
    rows.into_statement(st);
    st.execute();
    auto records = rows.records();
    if (records.empty()) return R{};
    return R{std::move(records.front())};
  });
}

Result<std::vector<AsyncResult>> SqliteStore::claim_async_work(const ClaimLease& lease, std::size_t max) {
  using R = std::vector<AsyncResult>;
  return guarded<R>("could not claim asynchronous work", [&]() -> Result<R> {
    // Results to build, or built with parts still to push, due now and not leased.
    static const std::string kDue =
        "WHERE (state = 0 OR (state = 1 AND delivery_address IS NOT NULL AND parts_pushed < total_parts)) "
        "AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)";
    const Int64 at = lease.now.micros();
    if (!any_on_reader("SELECT EXISTS (SELECT 1 FROM async_results " + kDue + ")", {at, at})) return R{};
    std::lock_guard<std::mutex> lock(write_mu_);
    WriteTransaction tx(*writer_);
    auto claimed = select_async(*writer_, kDue + " ORDER BY next_attempt_at, created_at LIMIT ?",
                                at, at, static_cast<Int64>(max));
    std::vector<std::string> ids;
    for (const auto& r : claimed) ids.push_back(r.result_id);
    take_leases(*writer_, "async_results", "result_id", ids, lease);
    tx.commit();
    return claimed;
  });
}

Result<bool> SqliteStore::release_async_result(const AsyncResult& r, const std::string& worker) {
  return guarded<bool>("could not update the asynchronous result", [&]() -> Result<bool> {
    std::string id = r.result_id, w = worker;
    Int64 state = async_state_code(r.state), total = static_cast<Int64>(r.total_parts);
    Int64 pushed = static_cast<Int64>(r.parts_pushed), attempts = r.attempts, next = r.next_attempt.micros();
    Nullable<std::string> error = nstr(r.last_error);
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "UPDATE async_results SET state = ?, total_parts = ?, parts_pushed = ?, attempts = ?, "
          "next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL "
          "WHERE result_id = ? AND lease_owner = ?",
        use(state), use(total), use(pushed), use(attempts), use(next), use(error), use(id), use(w);
    return st.execute() > 0;
  });
}

Result<uint64_t> SqliteStore::expire_async_results(Timestamp cutoff) {
  return guarded<uint64_t>("could not expire asynchronous results", [&]() -> Result<uint64_t> {
    Int64 before = cutoff.micros();
    std::lock_guard<std::mutex> lock(write_mu_);
    Statement st(*writer_);
    st << "DELETE FROM async_results WHERE created_at < ?", use(before);
    return static_cast<uint64_t>(st.execute());
  });
}

Result<SourceAppend> SqliteStore::append_from_source(const std::vector<std::string>& collections,
                                                     const std::vector<NewBlock>& blocks, const SourceMark& mark) {
  return guarded<SourceAppend>("could not store the content blocks", [&]() -> Result<SourceAppend> {
    if (mark.labels.size() != blocks.size()) return Error::failure("append_from_source: one label per block");
    std::string source = mark.source;
    std::lock_guard<std::mutex> lock(write_mu_);
    WriteTransaction tx(*writer_);
    Nullable<Int64> stored;
    *writer_ << "SELECT last_label FROM inbox_sources WHERE source = ?", use(source), into(stored), now;
    const Int64 seen = stored.isNull() ? kNoLabel : stored.value();
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
    auto appended = append_locked(collections, kept);
    if (!appended.ok()) return appended.error();
    if (high != seen) {
      Int64 at = options_.clock().micros();
      *writer_ << "INSERT INTO inbox_sources (source, last_label, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT (source) DO UPDATE SET last_label = excluded.last_label, updated_at = excluded.updated_at",
          use(source), use(high), use(at), now;
    }
    tx.commit();
    out.appended = kept.size();
    return out;
  });
}

}  // namespace taxii::storage
