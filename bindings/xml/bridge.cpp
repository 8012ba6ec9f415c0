// The TAXII 1.0 <-> 1.1 bridge (bridge.hpp), both directions: the dispatchers, and the status,
// discovery and collection-management families (Poll and Inbox: bridge_content.cpp).
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
//   libtaxii's "binding>subtype,..." SUPPORTED_CONTENT values (docs/interop.md) lose the
//   subtype part. Capability lists lose subtypes and duplicates. Collections that 1.0 cannot
//   express are omitted from a Feed_Information_Response: DATA_SET, no Content_Binding (1.1:
//   "any"; 1.0 requires 1..n) and neither Push_Method nor Polling_Service (XML 1.0 §3.5).
//   A Poll_Response with more="true" is Failure: 1.0 has no multi-part results, and sending part
//   one alone would silently lose records. Content_Block Message, Record_Count, result IDs and
//   Destination_Collection_Name have no 1.0 form and are dropped. A Discovery_Response keeps every
//   Service_Instance as is, including ones with a 1.1 service_version. A 1.1-only status becomes
//   FAILURE without details; RETRY without a usable ESTIMATED_WAIT gets no Status_Detail.
// - 1.1 → 1.0 requests (client side): a STATUS carries no subscription ID (XML 1.0 §3.6); the
//   subscription's content bindings travel in Push_Parameters only, so a SUBSCRIBE with
//   bindings but no push delivery is BadMessage.
// - 1.0 → 1.1 responses (client side): a feed is a DATA_FEED collection; the content bindings
//   of 1.0 Push_Parameters become Subscription_Parameters.
#include "bindings/xml/bridge.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bindings/xml/bridge_internal.hpp"
#include "core/status.hpp"

namespace taxii::xml {
namespace bridge_detail {

std::vector<v11::ContentBinding> to_v11_bindings(const std::vector<std::string>& ids) {
  return map_all(ids, [](const std::string& id) { return v11::ContentBinding{id, {}}; });
}

std::vector<std::string> binding_ids(const std::vector<v11::ContentBinding>& v) {
  std::vector<std::string> out;
  for (const auto& cb : v)
    if (std::find(out.begin(), out.end(), cb.binding_id) == out.end()) out.push_back(cb.binding_id);
  return out;
}

}  // namespace bridge_detail

using namespace bridge_detail;

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

std::string trim(std::string_view v) {
  const auto b = v.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(v.substr(b, v.find_last_not_of(" \t\r\n") - b + 1));
}

// The whitespace-separated words of s.
std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  for (size_t b = s.find_first_not_of(" \t\r\n"); b != std::string::npos; b = s.find_first_not_of(" \t\r\n", b)) {
    const size_t e = s.find_first_of(" \t\r\n", b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    b = e;
  }
  return out;
}

// --- Status_Message -----------------------------------------------------------------------

// Text values of the details named `name`, trimmed; XML-valued and empty ones are skipped.
std::vector<std::string> detail_texts(const v11::StatusMessage& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& d : m.details)
    if (d.name == name && d.value.is_text())
      if (std::string v = trim(d.value.text_value()); !v.empty()) out.push_back(std::move(v));
  return out;
}

// Services 1.0 §3.4.1: UNSUPPORTED_MESSAGE/_CONTENT/_PROTOCOL carry a space-separated ID list.
std::optional<std::string> id_list(const v11::StatusMessage& m, std::string_view name, bool strip_subtypes) {
  std::vector<std::string> ids;
  for (auto v : detail_texts(m, name)) {
    if (strip_subtypes) v = v.substr(0, v.find('>'));  // libtaxii "binding>sub1,sub2"
    if (!v.empty() && v.find_first_of(" \t\r\n") == std::string::npos &&
        std::find(ids.begin(), ids.end(), v) == ids.end())
      ids.push_back(std::move(v));
  }
  if (ids.empty()) return std::nullopt;
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out;
}

// RETRY: 1.1 ESTIMATED_WAIT seconds -> 1.0 timestamp "retry at" = now + wait.
std::optional<std::string> retry_at(const v11::StatusMessage& m, const Clock& clock) {
  const auto waits = detail_texts(m, detail_name::kEstimatedWait);
  if (waits.empty()) return std::nullopt;
  const std::string& w = waits.front();
  // At most 9 digits (~31 years) keeps the arithmetic far from overflow.
  if (w.size() > 9 || w.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return Timestamp::from_micros(clock.now().micros() + std::stoll(w) * kMicrosPerSecond).to_string();
}

// The 1.1 detail that lists what an UNSUPPORTED_* status type supports; empty for others.
std::string_view supported_detail(std::optional<StatusType> type) {
  if (type == StatusType::UnsupportedMessage) return detail_name::kSupportedBinding;
  if (type == StatusType::UnsupportedContent) return detail_name::kSupportedContent;
  if (type == StatusType::UnsupportedProtocol) return detail_name::kSupportedProtocol;
  return {};
}

v10::StatusMessage status_to_v10(const v11::StatusMessage& m, const Clock& clock) {
  auto o = with_base<v10::StatusMessage>(m);
  o.message = m.message;
  o.status_type = m.status_type;
  const auto type = status_type_from_wire(m.status_type);
  if (!type) return o;  // third-party status type: a URI is valid in 1.0 too
  if (!exists_in_v10(*type)) {
    o.status_type = std::string(wire_name(StatusType::Failure));
    o.message = "TAXII 1.1 status " + m.status_type + (m.message ? ": " + *m.message : std::string());
    return o;
  }
  if (const auto name = supported_detail(type); !name.empty())
    o.status_detail = id_list(m, name, *type == StatusType::UnsupportedContent);
  else if (*type == StatusType::Retry)
    o.status_detail = retry_at(m, clock);
  return o;
}

v11::StatusMessage status_to_v11(const v10::StatusMessage& m, const Clock& clock) {
  auto o = with_base<v11::StatusMessage>(m);
  o.status_type = m.status_type;
  o.message = m.message;
  if (!m.status_detail) return o;
  auto add = [&o](std::string_view name, const std::string& v) {
    o.details.push_back({std::string(name), Mixed::text(v)});
  };
  const auto type = status_type_from_wire(m.status_type);
  if (type == StatusType::Retry) {
    if (auto at = Timestamp::parse_lenient(trim(*m.status_detail))) {
      const int64_t wait = (at->micros() - clock.now().micros()) / kMicrosPerSecond;
      add(detail_name::kEstimatedWait, std::to_string(wait < 0 ? 0 : wait));
      return o;
    }
  } else if (const auto name = supported_detail(type); !name.empty()) {
    for (const auto& id : words(*m.status_detail)) add(name, id);
    return o;
  }
  add("STATUS_DETAIL", *m.status_detail);
  return o;
}

// --- Discovery and collection information -------------------------------------------------

template <class To, class From>
To discovery_to(const From& m) {
  auto o = with_base<To>(m);
  o.service_instances = map_all(m.service_instances, [](const auto& si) {
    if constexpr (std::is_same_v<To, v10::DiscoveryResponse>)  // CollectionManagement is FEED_MANAGEMENT
      return v10::ServiceInstance{static_cast<const ServiceInstanceBase&>(si), binding_ids(si.content_bindings),
                                  si.message};
    else
      return v11::ServiceInstance{static_cast<const ServiceInstanceBase&>(si), {}, to_v11_bindings(si.content_bindings),
                                  si.message};
  });
  return o;
}

v10::FeedInformationResponse collections_to_v10(const v11::CollectionInformationResponse& m) {
  auto o = with_base<v10::FeedInformationResponse>(m);
  for (const auto& c : m.collections) {
    if (c.collection_type == v11::CollectionType::DataSet) continue;  // 1.0 has Data Feeds only
    if (c.content_bindings.empty()) continue;
    if (c.push_methods.empty() && c.polling_services.empty()) continue;
    o.feeds.push_back({c.collection_name, c.available, c.description, binding_ids(c.content_bindings), c.push_methods,
                       c.polling_services, c.subscription_services});
  }
  return o;
}

v11::CollectionInformationResponse feeds_to_v11(const v10::FeedInformationResponse& m) {
  auto o = with_base<v11::CollectionInformationResponse>(m);
  o.collections = map_all(m.feeds, [](const v10::FeedInformation& f) {
    v11::CollectionInformation c;
    c.collection_name = f.feed_name;
    c.collection_type = v11::CollectionType::DataFeed;
    c.available = f.available;
    c.description = f.description;
    c.content_bindings = to_v11_bindings(f.content_bindings);
    c.push_methods = f.push_methods;
    c.polling_services = f.polling_services;
    c.subscription_services = f.subscription_services;
    return c;
  });
  return o;
}

// --- Subscription management --------------------------------------------------------------

Result<Message> subscription_request_to_v11(const v10::ManageFeedSubscriptionRequest& m) {
  auto o = with_base<v11::ManageCollectionSubscriptionRequest>(m);
  o.collection_name = m.feed_name;
  switch (m.action) {
    case v10::SubscriptionAction::Subscribe: {
      o.action = v11::SubscriptionAction::Subscribe;
      // Subscription_Parameters are present iff SUBSCRIBE (Services 1.1 §4.4.6); the 1.0
      // content bindings live in Push_Parameters (XML 1.0 §3.6).
      v11::SubscriptionParameters sp;
      if (const auto& p = m.push_parameters) {
        sp.content_bindings = to_v11_bindings(p->content_bindings);
        o.push_parameters = v11::PushParameters{p->protocol_binding, p->address, p->message_binding};
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

Result<v10::PushParameters> subscribe_push_to_v10(const v11::ManageCollectionSubscriptionRequest& m) {
  std::vector<std::string> ids;
  if (const auto& sp = m.subscription_parameters) {
    if (sp->response_type == v11::ResponseType::CountOnly) return Error::bad_message("COUNT_ONLY subscriptions need TAXII 1.1");
    if (sp->query) return Error::bad_message("subscription queries need TAXII 1.1");
    for (const auto& cb : sp->content_bindings)
      if (!cb.subtypes.empty()) return Error::bad_message("content binding subtypes (" + cb.binding_id + ") need TAXII 1.1");
    ids = binding_ids(sp->content_bindings);
  }
  if (const auto& p = m.push_parameters) return v10::PushParameters{p->protocol_binding, p->address, p->message_binding, ids};
  // XML 1.0 §3.6: the subscription's content bindings travel in Push_Parameters only.
  if (!ids.empty()) return Error::bad_message("TAXII 1.0 carries subscription content bindings only with push delivery");
  return v10::PushParameters{};
}

Result<Message> subscription_request_to_v10(const v11::ManageCollectionSubscriptionRequest& m) {
  auto o = with_base<v10::ManageFeedSubscriptionRequest>(m);
  o.feed_name = m.collection_name;
  switch (m.action) {
    case v11::SubscriptionAction::Subscribe: {
      o.action = v10::SubscriptionAction::Subscribe;
      auto push = subscribe_push_to_v10(m);
      if (!push.ok()) return push.error();
      if (m.push_parameters) o.push_parameters = std::move(*push);
      break;
    }
    case v11::SubscriptionAction::Unsubscribe:
      o.action = v10::SubscriptionAction::Unsubscribe;
      o.subscription_id = m.subscription_id;
      break;
    case v11::SubscriptionAction::Status:  // XML 1.0 §3.6: all of the requester's; no ID is sent
      o.action = v10::SubscriptionAction::Status;
      break;
    case v11::SubscriptionAction::Pause:
    case v11::SubscriptionAction::Resume:
      return Error::bad_message(std::string(to_string(m.action)) +
                                " needs TAXII 1.1 (1.0 has SUBSCRIBE, UNSUBSCRIBE, STATUS)");
  }
  return Message{std::move(o)};
}

v10::ManageFeedSubscriptionResponse subscriptions_to_v10(const v11::ManageCollectionSubscriptionResponse& m) {
  auto o = with_base<v10::ManageFeedSubscriptionResponse>(m);
  o.feed_name = m.collection_name;
  o.message = m.message;
  o.subscriptions = map_all(m.subscriptions, [](const v11::SubscriptionInstance& s) {
    v10::SubscriptionInstance i{s.subscription_id, std::nullopt, s.poll_instances};
    if (const auto& p = s.push_parameters) {
      i.push_parameters = v10::PushParameters{p->protocol_binding, p->address, p->message_binding, {}};
      if (s.subscription_parameters) i.push_parameters->content_bindings = binding_ids(s.subscription_parameters->content_bindings);
    }
    return i;
  });
  return o;
}

v11::ManageCollectionSubscriptionResponse subscriptions_to_v11(const v10::ManageFeedSubscriptionResponse& m) {
  auto o = with_base<v11::ManageCollectionSubscriptionResponse>(m);
  o.collection_name = m.feed_name;
  o.message = m.message;
  o.subscriptions = map_all(m.subscriptions, [](const v10::SubscriptionInstance& s) {
    v11::SubscriptionInstance i;
    i.subscription_id = s.subscription_id;
    i.poll_instances = s.poll_instances;
    if (const auto& p = s.push_parameters) {
      i.push_parameters = v11::PushParameters{p->protocol_binding, p->address, p->message_binding};
      if (!p->content_bindings.empty())
        i.subscription_parameters = v11::SubscriptionParameters{v11::ResponseType::Full, to_v11_bindings(p->content_bindings), {}};
    }
    return i;
  });
  return o;
}

template <class M, class... T>
inline constexpr bool kIsOneOf = (std::is_same_v<M, T> || ...);

}  // namespace

// --- the dispatchers ----------------------------------------------------------------------

Result<Message> bridge_request_to_v11(const Message& v10_request) {
  return std::visit(
      [&v10_request](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v10::DiscoveryRequest>) return Message{with_base<v11::DiscoveryRequest>(m)};
        else if constexpr (std::is_same_v<T, v10::FeedInformationRequest>)
          return Message{with_base<v11::CollectionInformationRequest>(m)};
        else if constexpr (std::is_same_v<T, v10::ManageFeedSubscriptionRequest>) return subscription_request_to_v11(m);
        else if constexpr (std::is_same_v<T, v10::PollRequest>) return poll_request_to_v11(m);
        else if constexpr (std::is_same_v<T, v10::InboxMessage>) return inbox_to_v11(m);
        else
          return Error::bad_message(std::string(message_type_name(v10_request)) + " (TAXII " +
                                    std::string(to_string(version_of(v10_request))) + ") is not a TAXII 1.0 request");
      },
      v10_request);
}

Result<Message> bridge_response_to_v10(const Message& v11_message, const Clock& clock) {
  return std::visit(
      [&v11_message, &clock](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v11::StatusMessage>) return Message{status_to_v10(m, clock)};
        else if constexpr (std::is_same_v<T, v11::DiscoveryResponse>) return Message{discovery_to<v10::DiscoveryResponse>(m)};
        else if constexpr (std::is_same_v<T, v11::CollectionInformationResponse>) return Message{collections_to_v10(m)};
        else if constexpr (std::is_same_v<T, v11::ManageCollectionSubscriptionResponse>)
          return Message{subscriptions_to_v10(m)};
        else if constexpr (std::is_same_v<T, v11::PollResponse>) return poll_response_to_v10(m);
        else if constexpr (std::is_same_v<T, v11::InboxMessage>) return inbox_to_v10(m);
        else
          return Error::failure(std::string(message_type_name(v11_message)) + " (TAXII " +
                                std::string(to_string(version_of(v11_message))) + ") has no TAXII 1.0 response form");
      },
      v11_message);
}

Result<Message> bridge_request_to_v10(const Message& v11_request) {
  return std::visit(
      [&v11_request](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v11::DiscoveryRequest>) return Message{with_base<v10::DiscoveryRequest>(m)};
        else if constexpr (std::is_same_v<T, v11::CollectionInformationRequest>)
          return Message{with_base<v10::FeedInformationRequest>(m)};
        else if constexpr (std::is_same_v<T, v11::ManageCollectionSubscriptionRequest>) return subscription_request_to_v10(m);
        else if constexpr (std::is_same_v<T, v11::PollRequest>) return poll_request_to_v10(m);
        else if constexpr (std::is_same_v<T, v11::InboxMessage>) return inbox_request_to_v10(m);
        else if constexpr (std::is_same_v<T, v11::PollFulfillment>)
          return Error::bad_message("Poll_Fulfillment (multi-part and asynchronous results) needs TAXII 1.1");
        else
          return Error::bad_message(std::string(message_type_name(v11_request)) + " is not a TAXII 1.1 request");
      },
      v11_request);
}

Result<Message> bridge_response_to_v11(Message response, const Clock& clock) {
  std::optional<Message> converted;
  std::optional<Error> error;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v10::StatusMessage>) converted = Message{status_to_v11(m, clock)};
        else if constexpr (std::is_same_v<T, v10::DiscoveryResponse>) converted = Message{discovery_to<v11::DiscoveryResponse>(m)};
        else if constexpr (std::is_same_v<T, v10::FeedInformationResponse>) converted = Message{feeds_to_v11(m)};
        else if constexpr (std::is_same_v<T, v10::ManageFeedSubscriptionResponse>) converted = Message{subscriptions_to_v11(m)};
        else if constexpr (std::is_same_v<T, v10::PollResponse>) converted = Message{poll_response_to_v11(m)};
        else if constexpr (kIsOneOf<T, v10::DiscoveryRequest, v10::FeedInformationRequest,
                                    v10::ManageFeedSubscriptionRequest, v10::PollRequest, v10::InboxMessage>)
          error = Error::failure("the server answered with a TAXII 1.0 " + std::string(message_type_name(response)) +
                                 ", which is a request");
      },
      response);
  if (error) return *error;
  if (converted) return std::move(*converted);
  return response;  // a 1.1 message, moved: a parameter returned is an rvalue
}

void complete_v10_subscription_response(v11::SubscriptionAction action, const std::optional<std::string>& id,
                                        v11::ManageCollectionSubscriptionResponse& response) {
  auto& subs = response.subscriptions;
  if (action == v11::SubscriptionAction::Status && id)
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&id](const v11::SubscriptionInstance& s) { return s.subscription_id != *id; }),
               subs.end());
  const auto status = action == v11::SubscriptionAction::Unsubscribe ? v11::SubscriptionStatus::Unsubscribed
                                                                     : v11::SubscriptionStatus::Active;
  for (auto& s : subs) s.status = status;
}

}  // namespace taxii::xml
