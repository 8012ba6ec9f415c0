// The TAXII 1.0 <-> 1.1 bridge (bridge.hpp): field-by-field mapping per PROTOCOL.md §10.1.
//
// Decisions beyond those listed in bridge.hpp (all where the specifications are silent):
// - Message-level ds:Signature is not carried across: it signs the other version's envelope
//   and could not verify. Content_Block signatures travel with their (unchanged) content.
// - 1.0 → 1.1 requests: subscription_id is dropped for SUBSCRIBE and STATUS and Push_Parameters
//   for UNSUBSCRIBE and STATUS (XML 1.0 §3.6: SHOULD NOT be sent, MUST be ignored; a 1.1 STATUS
//   with an ID would mean "this one subscription", a 1.0 STATUS means "all of mine"). A 1.0
//   Poll_Request with @subscription_id becomes a 1.1 poll by Subscription_ID; its Content_Binding
//   list is dropped (the 1.1 xs:choice allows no Poll_Parameters beside it; the subscription's
//   own bindings apply). An Inbox_Message whose Source_Subscription lacks @subscription_id is
//   BadMessage (Errata 1.0 TAXII-XML-1.0-Err-01 makes it required; 1.1 requires it too).
// - 1.1 → 1.0: 1.1 details of status types that define no 1.0 detail (e.g. NOT_FOUND's ITEM,
//   third-party details) are dropped; third-party status types pass through unchanged.
//   libtaxii's "binding>subtype,..." SUPPORTED_CONTENT values (PROTOCOL.md §12.4) lose the
//   subtype part. Capability lists lose subtypes and duplicates. Collections that 1.0 cannot
//   express are omitted from a Feed_Information_Response: DATA_SET, no Content_Binding (1.1:
//   "any"; 1.0 requires 1..n) and neither Push_Method nor Polling_Service (XML 1.0 §3.5).
//   A Poll_Response with more="true" is Failure: 1.0 has no multi-part results, and sending part
//   one alone would silently lose records. Content_Block Message, Record_Count, result IDs and
//   Destination_Collection_Name have no 1.0 form and are dropped. A Discovery_Response keeps every
//   Service_Instance as is, including ones with a 1.1 service_version. A 1.1-only status becomes
//   FAILURE without details; RETRY without a usable ESTIMATED_WAIT gets no Status_Detail.
#include "bindings/xml/bridge.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/status.hpp"

namespace taxii::xml {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// 1.0 Inclusive_Begin B covers labels >= B; 1.1 Exclusive_Begin covers labels > X. Labels have
// microsecond resolution (XML 1.1 §2.2.1), so B = X + 1 µs and X = B - 1 µs (bridge.hpp).
Timestamp plus_micros(const Timestamp& t, int64_t d) {
  return Timestamp::from_micros(t.micros() + d, t.offset_minutes());
}

void append_unique(std::vector<std::string>& v, std::string s) {
  for (const auto& x : v)
    if (x == s) return;
  v.push_back(std::move(s));
}

template <class To, class From>
To with_base(const From& m) {
  To out;
  out.message_id = m.message_id;
  out.extended_headers = m.extended_headers;
  if constexpr (std::is_base_of_v<ResponseBase, To> && std::is_base_of_v<ResponseBase, From>)
    out.in_response_to = m.in_response_to;
  return out;
}

// --- 1.0 requests -> 1.1 ----------------------------------------------------------------

std::vector<v11::ContentBinding> to_v11_bindings(const std::vector<std::string>& ids) {
  std::vector<v11::ContentBinding> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back({id, {}});
  return out;
}

v11::ContentBlock to_v11_block(const v10::ContentBlock& b) {
  v11::ContentBlock o;
  o.binding_id = b.binding;
  o.content = b.content;
  o.timestamp_label = b.timestamp_label;
  o.padding = b.padding;
  o.signature = b.signature;
  return o;
}

Result<Message> subscription_request_to_v11(const v10::ManageFeedSubscriptionRequest& m) {
  auto o = with_base<v11::ManageCollectionSubscriptionRequest>(m);
  o.collection_name = m.feed_name;
  switch (m.action) {
    case v10::SubscriptionAction::Subscribe: {
      o.action = v11::SubscriptionAction::Subscribe;
      // Subscription_Parameters are present iff SUBSCRIBE (Services 1.1 §4.4.6); the 1.0
      // content bindings live in Push_Parameters (PROTOCOL.md §10.1).
      v11::SubscriptionParameters sp;
      sp.response_type = v11::ResponseType::Full;
      if (m.push_parameters) {
        const auto& p = *m.push_parameters;
        sp.content_bindings = to_v11_bindings(p.content_bindings);
        o.push_parameters = v11::PushParameters{p.protocol_binding, p.address, p.message_binding};
      }
      o.subscription_parameters = std::move(sp);
      break;
    }
    case v10::SubscriptionAction::Unsubscribe:
      if (!m.subscription_id)
        return Error::bad_message("Subscription_Management_Request: action UNSUBSCRIBE requires a subscription_id");
      o.action = v11::SubscriptionAction::Unsubscribe;
      o.subscription_id = m.subscription_id;
      break;
    case v10::SubscriptionAction::Status:
      o.action = v11::SubscriptionAction::Status;
      break;
  }
  return Message{std::move(o)};
}

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

Result<Message> inbox_to_v11(const v10::InboxMessage& m) {
  auto o = with_base<v11::InboxMessage>(m);
  o.message = m.message;
  if (m.source_subscription) {
    const auto& s = *m.source_subscription;
    if (!s.subscription_id)
      return Error::bad_message(
          "Inbox_Message: Source_Subscription requires a subscription_id (Errata 1.0 TAXII-XML-1.0-Err-01)");
    v11::SourceSubscription ss;
    ss.collection_name = s.feed_name;
    ss.subscription_id = *s.subscription_id;
    if (s.inclusive_begin) ss.exclusive_begin = plus_micros(*s.inclusive_begin, -1);
    ss.inclusive_end = s.inclusive_end;
    o.source_subscription = std::move(ss);
  }
  for (const auto& b : m.content_blocks) o.content_blocks.push_back(to_v11_block(b));
  return Message{std::move(o)};
}

// --- 1.1 responses -> 1.0 ---------------------------------------------------------------

std::vector<std::string> binding_ids(const std::vector<v11::ContentBinding>& v) {
  std::vector<std::string> out;
  for (const auto& cb : v) append_unique(out, cb.binding_id);
  return out;
}

v10::ContentBlock to_v10_block(const v11::ContentBlock& b) {
  v10::ContentBlock o;
  o.binding = b.binding_id;
  o.content = b.content;
  o.timestamp_label = b.timestamp_label;
  o.padding = b.padding;
  o.signature = b.signature;
  return o;
}

// Text values of the details named `name`, trimmed; XML-valued details are skipped.
std::vector<std::string> detail_texts(const v11::StatusMessage& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& d : m.details) {
    if (d.name != name || !d.value.is_text()) continue;
    std::string v = d.value.text_value();
    const auto b = v.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    v = v.substr(b, v.find_last_not_of(" \t\r\n") - b + 1);
    out.push_back(std::move(v));
  }
  return out;
}

// Services 1.0 §3.4.1: UNSUPPORTED_MESSAGE/_CONTENT/_PROTOCOL carry a space-separated ID list.
std::optional<std::string> id_list(const v11::StatusMessage& m, std::string_view name, bool strip_subtypes) {
  std::vector<std::string> ids;
  for (auto v : detail_texts(m, name)) {
    if (strip_subtypes) v = v.substr(0, v.find('>'));  // libtaxii "binding>sub1,sub2"
    if (!v.empty() && v.find_first_of(" \t\r\n") == std::string::npos) append_unique(ids, std::move(v));
  }
  if (ids.empty()) return std::nullopt;
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out;
}

// RETRY: 1.1 ESTIMATED_WAIT seconds -> 1.0 timestamp "retry at" = now + wait.
std::optional<std::string> retry_at(const v11::StatusMessage& m) {
  const auto waits = detail_texts(m, detail_name::kEstimatedWait);
  if (waits.empty()) return std::nullopt;
  const std::string& w = waits.front();
  // At most 9 digits (~31 years) keeps the arithmetic far from overflow.
  if (w.empty() || w.size() > 9 || w.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int64_t seconds = std::stoll(w);
  const Timestamp now = Timestamp::now();
  return Timestamp::from_micros(now.micros() + seconds * kMicrosPerSecond).to_string();
}

v10::StatusMessage status_to_v10(const v11::StatusMessage& m) {
  auto o = with_base<v10::StatusMessage>(m);
  o.message = m.message;
  const auto type = status_type_from_wire(m.status_type);
  if (!type) {  // third-party status type: a URI is valid in 1.0 too
    o.status_type = m.status_type;
    return o;
  }
  if (!exists_in_v10(*type)) {
    o.status_type = std::string(wire_name(StatusType::Failure));
    o.message = "TAXII 1.1 status " + m.status_type + (m.message ? ": " + *m.message : std::string());
    return o;
  }
  o.status_type = m.status_type;
  switch (*type) {
    case StatusType::UnsupportedMessage:
      o.status_detail = id_list(m, detail_name::kSupportedBinding, false);
      break;
    case StatusType::UnsupportedContent:
      o.status_detail = id_list(m, detail_name::kSupportedContent, true);
      break;
    case StatusType::UnsupportedProtocol:
      o.status_detail = id_list(m, detail_name::kSupportedProtocol, false);
      break;
    case StatusType::Retry:
      o.status_detail = retry_at(m);
      break;
    default:
      break;
  }
  return o;
}

v10::DiscoveryResponse discovery_to_v10(const v11::DiscoveryResponse& m) {
  auto o = with_base<v10::DiscoveryResponse>(m);
  for (const auto& si : m.service_instances) {
    v10::ServiceInstance s;
    s.service_type = si.service_type;  // CollectionManagement is written FEED_MANAGEMENT
    s.service_version = si.service_version;
    s.available = si.available;
    s.protocol_binding = si.protocol_binding;
    s.address = si.address;
    s.message_bindings = si.message_bindings;
    s.content_bindings = binding_ids(si.content_bindings);
    s.message = si.message;
    o.service_instances.push_back(std::move(s));
  }
  return o;
}

v10::FeedInformationResponse collections_to_v10(const v11::CollectionInformationResponse& m) {
  auto o = with_base<v10::FeedInformationResponse>(m);
  for (const auto& c : m.collections) {
    if (c.collection_type == v11::CollectionType::DataSet) continue;  // 1.0 has Data Feeds only
    if (c.content_bindings.empty()) continue;
    if (c.push_methods.empty() && c.polling_services.empty()) continue;
    v10::FeedInformation f;
    f.feed_name = c.collection_name;
    f.available = c.available;
    f.description = c.description;
    f.content_bindings = binding_ids(c.content_bindings);
    f.push_methods = c.push_methods;
    f.polling_services = c.polling_services;
    f.subscription_services = c.subscription_services;
    o.feeds.push_back(std::move(f));
  }
  return o;
}

v10::ManageFeedSubscriptionResponse subscriptions_to_v10(const v11::ManageCollectionSubscriptionResponse& m) {
  auto o = with_base<v10::ManageFeedSubscriptionResponse>(m);
  o.feed_name = m.collection_name;
  o.message = m.message;
  for (const auto& s : m.subscriptions) {
    v10::SubscriptionInstance i;
    i.subscription_id = s.subscription_id;
    if (s.push_parameters) {
      v10::PushParameters p;
      p.protocol_binding = s.push_parameters->protocol_binding;
      p.address = s.push_parameters->address;
      p.message_binding = s.push_parameters->message_binding;
      if (s.subscription_parameters) p.content_bindings = binding_ids(s.subscription_parameters->content_bindings);
      i.push_parameters = std::move(p);
    }
    i.poll_instances = s.poll_instances;
    o.subscriptions.push_back(std::move(i));
  }
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
  for (const auto& b : m.content_blocks) o.content_blocks.push_back(to_v10_block(b));
  return Message{std::move(o)};
}

Result<Message> inbox_to_v10(const v11::InboxMessage& m) {
  auto o = with_base<v10::InboxMessage>(m);
  o.message = m.message;
  if (m.source_subscription) {
    const auto& s = *m.source_subscription;
    if (!s.inclusive_end)
      return Error::failure(
          "Inbox_Message: TAXII 1.0 Source_Subscription requires Inclusive_End_Timestamp (a Data Set has none)");
    v10::SourceSubscription ss;
    ss.feed_name = s.collection_name;
    ss.subscription_id = s.subscription_id;
    if (s.exclusive_begin) ss.inclusive_begin = plus_micros(*s.exclusive_begin, 1);
    ss.inclusive_end = *s.inclusive_end;
    o.source_subscription = std::move(ss);
  }
  for (const auto& b : m.content_blocks) o.content_blocks.push_back(to_v10_block(b));
  return Message{std::move(o)};
}

}  // namespace

Result<Message> bridge_request_to_v11(const Message& v10_request) {
  return std::visit(
      [&v10_request](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v10::DiscoveryRequest>) {
          return Message{with_base<v11::DiscoveryRequest>(m)};
        } else if constexpr (std::is_same_v<T, v10::FeedInformationRequest>) {
          return Message{with_base<v11::CollectionInformationRequest>(m)};
        } else if constexpr (std::is_same_v<T, v10::ManageFeedSubscriptionRequest>) {
          return subscription_request_to_v11(m);
        } else if constexpr (std::is_same_v<T, v10::PollRequest>) {
          return poll_request_to_v11(m);
        } else if constexpr (std::is_same_v<T, v10::InboxMessage>) {
          return inbox_to_v11(m);
        } else {
          return Error::bad_message(std::string(message_type_name(v10_request)) + " (TAXII " +
                                    std::string(to_string(version_of(v10_request))) +
                                    ") is not a TAXII 1.0 request");
        }
      },
      v10_request);
}

Result<Message> bridge_response_to_v10(const Message& v11_message) {
  return std::visit(
      [&v11_message](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v11::StatusMessage>) {
          return Message{status_to_v10(m)};
        } else if constexpr (std::is_same_v<T, v11::DiscoveryResponse>) {
          return Message{discovery_to_v10(m)};
        } else if constexpr (std::is_same_v<T, v11::CollectionInformationResponse>) {
          return Message{collections_to_v10(m)};
        } else if constexpr (std::is_same_v<T, v11::ManageCollectionSubscriptionResponse>) {
          return Message{subscriptions_to_v10(m)};
        } else if constexpr (std::is_same_v<T, v11::PollResponse>) {
          return poll_response_to_v10(m);
        } else if constexpr (std::is_same_v<T, v11::InboxMessage>) {
          return inbox_to_v10(m);
        } else {
          return Error::failure(std::string(message_type_name(v11_message)) + " (TAXII " +
                                std::string(to_string(version_of(v11_message))) +
                                ") has no TAXII 1.0 response form");
        }
      },
      v11_message);
}

}  // namespace taxii::xml
