// The content families of the TAXII 1.0 <-> 1.1 bridge (bridge.hpp), both directions: Poll
// (Poll_Request, Poll_Response) and Inbox (Inbox_Message), where time windows change from
// 1.0's inclusive begin to 1.1's exclusive begin.
#include <optional>
#include <string>
#include <utility>

#include "bindings/xml/bridge_internal.hpp"

namespace taxii::xml::bridge_detail {
namespace {

// Content binding IDs for a 1.0 request; subtypes have no 1.0 form (XML 1.0 §3.8).
Result<std::vector<std::string>> ids_without_subtypes(const std::vector<v11::ContentBinding>& v) {
  for (const auto& cb : v)
    if (!cb.subtypes.empty()) return Error::bad_message("content binding subtypes (" + cb.binding_id + ") need TAXII 1.1");
  return binding_ids(v);
}

}  // namespace

// --- Poll ---------------------------------------------------------------------------------

Result<Message> poll_request_to_v11(const v10::PollRequest& m) {
  auto o = with_base<v11::PollRequest>(m);
  o.collection_name = m.feed_name;
  o.exclusive_begin = m.exclusive_begin;
  o.inclusive_end = m.inclusive_end;
  if (m.subscription_id) {
    o.subscription_id = m.subscription_id;
  } else {
    v11::PollParameters p;
    p.allow_asynch = false;  // 1.0 has no asynchronous polling
    p.response_type = v11::ResponseType::Full;
    p.content_bindings = to_v11_bindings(m.content_bindings);
    o.poll_parameters = std::move(p);
  }
  return Message{std::move(o)};
}

Result<Message> poll_request_to_v10(const v11::PollRequest& m) {
  auto o = with_base<v10::PollRequest>(m);
  o.feed_name = m.collection_name;
  o.exclusive_begin = m.exclusive_begin;
  o.inclusive_end = m.inclusive_end;
  o.subscription_id = m.subscription_id;
  if (m.poll_parameters) {
    const auto& p = *m.poll_parameters;
    if (p.response_type == v11::ResponseType::CountOnly) return Error::bad_message("COUNT_ONLY polls need TAXII 1.1");
    if (p.query) return Error::bad_message("queries need TAXII 1.1");
    if (p.allow_asynch) return Error::bad_message("asynchronous polling needs TAXII 1.1");
    auto ids = ids_without_subtypes(p.content_bindings);
    if (!ids.ok()) return ids.error();
    o.content_bindings = std::move(*ids);
  }
  return Message{std::move(o)};
}

v11::PollResponse poll_response_to_v11(const v10::PollResponse& m) {
  auto o = with_base<v11::PollResponse>(m);
  o.collection_name = m.feed_name;
  o.subscription_id = m.subscription_id;
  o.message = m.message;
  if (m.inclusive_begin) o.exclusive_begin = plus_micros(*m.inclusive_begin, -1);
  o.inclusive_end = m.inclusive_end;
  o.content_blocks = map_all(m.content_blocks, [](const v10::ContentBlock& b) { return across(b); });
  return o;
}

Result<Message> poll_response_to_v10(const v11::PollResponse& m) {
  if (m.more)
    return Error::failure("Poll_Response: a multi-part result (more=\"true\") has no TAXII 1.0 form");
  if (!m.inclusive_end)
    return Error::failure("Poll_Response: TAXII 1.0 requires Inclusive_End_Timestamp (a Data Set has none)");
  auto o = with_base<v10::PollResponse>(m);
  o.feed_name = m.collection_name;
  o.subscription_id = m.subscription_id;
  o.message = m.message;
  if (m.exclusive_begin) o.inclusive_begin = plus_micros(*m.exclusive_begin, 1);
  o.inclusive_end = *m.inclusive_end;
  o.content_blocks = map_all(m.content_blocks, [](const v11::ContentBlock& b) { return across(b); });
  return Message{std::move(o)};
}

// --- Inbox --------------------------------------------------------------------------------

namespace {

using bridge_detail::across;  // the content blocks' (bridge_internal.hpp), beside the ones below

// Source_Subscription across versions: 1.0 requires Inclusive_End_Timestamp (a Data Set has
// none), 1.1 requires the subscription ID (Errata 1.0 TAXII-XML-1.0-Err-01 requires it in 1.0
// too; the schema does not).
Result<v11::SourceSubscription> across(const v10::SourceSubscription& s) {
  if (!s.subscription_id)
    return Error::bad_message(
        "Inbox_Message: Source_Subscription requires a subscription_id (Errata 1.0 TAXII-XML-1.0-Err-01)");
  std::optional<Timestamp> begin;
  if (s.inclusive_begin) begin = plus_micros(*s.inclusive_begin, -1);
  return v11::SourceSubscription{s.feed_name, *s.subscription_id, begin, s.inclusive_end};
}

Result<v10::SourceSubscription> across(const v11::SourceSubscription& s) {
  if (!s.inclusive_end)
    return Error::failure(
        "Inbox_Message: TAXII 1.0 Source_Subscription requires Inclusive_End_Timestamp (a Data Set has none)");
  std::optional<Timestamp> begin;
  if (s.exclusive_begin) begin = plus_micros(*s.exclusive_begin, 1);
  return v10::SourceSubscription{s.collection_name, s.subscription_id, begin, *s.inclusive_end};
}

// An Inbox_Message in the other version: message, source subscription, blocks.
template <class To, class From>
Result<Message> inbox_across(const From& m) {
  auto o = with_base<To>(m);
  o.message = m.message;
  if (m.source_subscription) {
    auto s = across(*m.source_subscription);
    if (!s.ok()) return s.error();
    o.source_subscription = std::move(*s);
  }
  o.content_blocks = map_all(m.content_blocks, [](const auto& b) { return across(b); });
  return Message{std::move(o)};
}

}  // namespace

Result<Message> inbox_to_v11(const v10::InboxMessage& m) { return inbox_across<v11::InboxMessage>(m); }

Result<Message> inbox_to_v10(const v11::InboxMessage& m) { return inbox_across<v10::InboxMessage>(m); }

Result<Message> inbox_request_to_v10(const v11::InboxMessage& m) {
  if (!m.destination_collection_names.empty()) return Error::bad_message("destination collections need TAXII 1.1");
  for (const auto& b : m.content_blocks)
    if (b.subtype) return Error::bad_message("content binding subtypes need TAXII 1.1");
  return inbox_to_v10(m);
}

}  // namespace taxii::xml::bridge_detail
