// What the two halves of the TAXII 1.0 <-> 1.1 bridge share (bridge.cpp: status, discovery,
// collection management; bridge_content.cpp: poll and inbox): the per-family conversions the
// dispatchers call, and the field mappings written once for both directions. Internal to
// bindings/xml; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::xml::bridge_detail {

// 1.0 Inclusive_Begin B covers labels >= B; 1.1 Exclusive_Begin covers labels > X. Labels have
// microsecond resolution (XML 1.1 §2.2.1), so B = X + 1 µs and X = B - 1 µs (bridge.hpp).
inline Timestamp plus_micros(const Timestamp& t, int64_t d) {
  return Timestamp::from_micros(t.micros() + d, t.offset_minutes());
}

// The message header both versions share (XML 1.1 §3.1, XML 1.0 §3.1); the Signature stays
// behind (it signs the other version's envelope).
template <class To, class From>
To with_base(const From& m) {
  To out;
  out.message_id = m.message_id;
  out.extended_headers = m.extended_headers;
  if constexpr (std::is_base_of_v<ResponseBase, To> && std::is_base_of_v<ResponseBase, From>)
    out.in_response_to = m.in_response_to;
  return out;
}

// f applied to every element of v.
template <class V, class F>
auto map_all(const V& v, F f) {
  std::vector<std::decay_t<decltype(f(*v.begin()))>> out;
  out.reserve(v.size());
  for (const auto& x : v) out.push_back(f(x));
  return out;
}

// Content bindings: 1.0 lists IDs, 1.1 IDs with subtypes. 1.1 -> 1.0 loses the subtypes and
// the duplicates they leave.
std::vector<v11::ContentBinding> to_v11_bindings(const std::vector<std::string>& ids);
std::vector<std::string> binding_ids(const std::vector<v11::ContentBinding>& v);

// A content block in the other version: the same fields; 1.1's Subtype and Message have no 1.0
// form.
inline v11::ContentBlock across(const v10::ContentBlock& b) {
  return {b.binding, std::nullopt, b.content, b.timestamp_label, std::nullopt, b.padding, b.signature};
}
inline v10::ContentBlock across(const v11::ContentBlock& b) {
  return {b.binding_id, b.content, b.timestamp_label, b.padding, b.signature};
}

// The families of bridge_content.cpp. `to_v10` requests (client side) fail BadMessage for what
// 1.0 cannot say; `to_v10` responses (server side) fail Failure.
Result<Message> poll_request_to_v11(const v10::PollRequest& m);
Result<Message> poll_request_to_v10(const v11::PollRequest& m);
v11::PollResponse poll_response_to_v11(const v10::PollResponse& m);
Result<Message> poll_response_to_v10(const v11::PollResponse& m);
Result<Message> inbox_to_v11(const v10::InboxMessage& m);
Result<Message> inbox_to_v10(const v11::InboxMessage& m);
// A client's Inbox_Message: inbox_to_v10, refusing what 1.0 would drop (destinations, subtypes).
Result<Message> inbox_request_to_v10(const v11::InboxMessage& m);

}  // namespace taxii::xml::bridge_detail
