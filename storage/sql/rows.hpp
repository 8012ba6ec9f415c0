// Converters between the Store's values and the columns Poco::Data binds and reads, the same on
// both SQL backends: bytes as BLOB (BYTEA), optional text and labels as Nullable, labels and times
// as Int64 microseconds, enums as their codes; and the rows of the subscriptions and
// async_results tables (schemas/shared/002_subscriptions.sql): column lists and column-wise row
// buffers turned into the records of storage/subscription_records.hpp. Internal to storage/sql/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include "core/timestamp.hpp"
#include "storage/subscription_records.hpp"

namespace taxii::storage::detail {

using Poco::Int64;
using Poco::Nullable;
using Poco::Data::BLOB;
using Poco::Data::Statement;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

inline BLOB to_blob(const std::string& s) { return BLOB(reinterpret_cast<const unsigned char*>(s.data()), s.size()); }
inline std::string from_blob(const BLOB& b) {
  return b.size() == 0 ? std::string() : std::string(reinterpret_cast<const char*>(b.rawContent()), b.size());
}
inline Nullable<std::string> nstr(const std::optional<std::string>& s) {
  return s ? Nullable<std::string>(*s) : Nullable<std::string>();
}
inline std::optional<std::string> ostr(const Nullable<std::string>& s) {
  return s.isNull() ? std::nullopt : std::optional<std::string>(s.value());
}
inline Nullable<Int64> nlabel(const std::optional<Timestamp>& t) {
  return t ? Nullable<Int64>(t->micros()) : Nullable<Int64>();
}
inline std::optional<Timestamp> olabel(const Nullable<Int64>& t) {
  return t.isNull() ? std::nullopt : std::optional<Timestamp>(Timestamp::from_micros(t.value()));
}

inline constexpr const char* kSubscriptionColumns =
    "subscription_id, collection, owner, spec_key, state, parameters, push_protocol, push_address, "
    "push_binding, created_at, push_cursor, poll_cursor, attempts, next_attempt_at, last_error";

// The columns of kSubscriptionColumns, extracted row by row into vectors.
struct SubscriptionRows {
  std::vector<std::string> id, collection, owner, spec_key;
  std::vector<Int64> state;
  std::vector<BLOB> parameters;
  std::vector<Nullable<std::string>> protocol, address, binding;
  std::vector<Int64> created;
  std::vector<Nullable<Int64>> push_cursor, poll_cursor;
  std::vector<Int64> attempts, next_attempt;
  std::vector<Nullable<std::string>> last_error;

  void into_statement(Statement& st) {
    st, into(id), into(collection), into(owner), into(spec_key), into(state), into(parameters), into(protocol),
        into(address), into(binding), into(created), into(push_cursor), into(poll_cursor), into(attempts),
        into(next_attempt), into(last_error);
  }
  std::vector<Subscription> records() const {
    std::vector<Subscription> out(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
      Subscription& s = out[i];
      s.id = id[i];
      s.collection = collection[i];
      s.owner = owner[i];
      s.spec_key = spec_key[i];
      s.state = state[i] == 1 ? SubscriptionState::Paused : SubscriptionState::Active;
      s.parameters = from_blob(parameters[i]);
      if (!address[i].isNull())
        s.push = PushTarget{ostr(protocol[i]).value_or(""), address[i].value(), ostr(binding[i]).value_or("")};
      s.created = Timestamp::from_micros(created[i]);
      s.push_cursor = olabel(push_cursor[i]);
      s.poll_cursor = olabel(poll_cursor[i]);
      s.attempts = static_cast<uint32_t>(attempts[i]);
      s.next_attempt = Timestamp::from_micros(next_attempt[i]);
      s.last_error = ostr(last_error[i]);
    }
    return out;
  }
};

inline constexpr const char* kAsyncColumns =
    "result_id, collection, request, after_label, until_label, part_size, count_only, estimated_count, "
    "delivery_protocol, delivery_address, delivery_binding, state, total_parts, parts_pushed, created_at, "
    "attempts, next_attempt_at, last_error";

struct AsyncRows {
  std::vector<std::string> id, collection;
  std::vector<BLOB> request;
  std::vector<Nullable<Int64>> after, until;
  std::vector<Int64> part_size, count_only, estimated;
  std::vector<Nullable<std::string>> protocol, address, binding;
  std::vector<Int64> state, total_parts, parts_pushed, created, attempts, next_attempt;
  std::vector<Nullable<std::string>> last_error;

  void into_statement(Statement& st) {
    st, into(id), into(collection), into(request), into(after), into(until), into(part_size), into(count_only),
        into(estimated), into(protocol), into(address), into(binding), into(state), into(total_parts),
        into(parts_pushed), into(created), into(attempts), into(next_attempt), into(last_error);
  }
  std::vector<AsyncResult> records() const {
    std::vector<AsyncResult> out(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
      AsyncResult& r = out[i];
      r.result_id = id[i];
      r.collection = collection[i];
      r.request = from_blob(request[i]);
      r.after = olabel(after[i]);
      r.until = olabel(until[i]);
      r.part_size = static_cast<uint64_t>(part_size[i]);
      r.count_only = count_only[i] != 0;
      r.estimated_count = static_cast<uint64_t>(estimated[i]);
      if (!address[i].isNull())
        r.delivery = PushTarget{ostr(protocol[i]).value_or(""), address[i].value(), ostr(binding[i]).value_or("")};
      r.state = state[i] == 1 ? AsyncState::Ready : state[i] == 2 ? AsyncState::Failed : AsyncState::Building;
      r.total_parts = static_cast<uint64_t>(total_parts[i]);
      r.parts_pushed = static_cast<uint64_t>(parts_pushed[i]);
      r.created = Timestamp::from_micros(created[i]);
      r.attempts = static_cast<uint32_t>(attempts[i]);
      r.next_attempt = Timestamp::from_micros(next_attempt[i]);
      r.last_error = ostr(last_error[i]);
    }
    return out;
  }
};

// Codes of the state columns (schemas/shared/002_subscriptions.sql).
inline Int64 async_state_code(AsyncState s) { return s == AsyncState::Ready ? 1 : s == AsyncState::Failed ? 2 : 0; }
inline Int64 subscription_state_code(SubscriptionState s) { return s == SubscriptionState::Paused ? 1 : 0; }

}  // namespace taxii::storage::detail
