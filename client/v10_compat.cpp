#include "client/v10_compat.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "bindings/xml/bridge.hpp"
#include "client/errors.hpp"
#include "core/status.hpp"

namespace taxii::client {
namespace {

Timestamp minus_one_micro(const Timestamp& t) { return Timestamp::from_micros(t.micros() - 1, t.offset_minutes()); }

template <class To, class From>
To with_base(const From& m) {
  To out;
  out.message_id = m.message_id;
  out.extended_headers = m.extended_headers;
  if constexpr (std::is_base_of_v<ResponseBase, To> && std::is_base_of_v<ResponseBase, From>)
    out.in_response_to = m.in_response_to;
  return out;
}

Result<std::vector<std::string>> ids_without_subtypes(const std::vector<v11::ContentBinding>& v) {
  std::vector<std::string> out;
  for (const auto& cb : v) {
    if (!cb.subtypes.empty())
      return local_error("content binding subtypes (" + cb.binding_id + ") need TAXII 1.1");
    out.push_back(cb.binding_id);
  }
  return out;
}

std::vector<v11::ContentBinding> bindings_of(const std::vector<std::string>& ids) {
  std::vector<v11::ContentBinding> out;
  for (const auto& id : ids) out.push_back({id, {}});
  return out;
}

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t b = s.find_first_not_of(" \t\r\n", i);
    if (b == std::string::npos) break;
    const size_t e = s.find_first_of(" \t\r\n", b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    i = e == std::string::npos ? s.size() : e;
  }
  return out;
}

// --- requests ---------------------------------------------------------------------------

Result<Message> subscription_to_v10(const v11::ManageCollectionSubscriptionRequest& m) {
  auto o = with_base<v10::ManageFeedSubscriptionRequest>(m);
  o.feed_name = m.collection_name;
  switch (m.action) {
    case v11::SubscriptionAction::Subscribe: {
      o.action = v10::SubscriptionAction::Subscribe;
      std::vector<std::string> ids;
      if (m.subscription_parameters) {
        const auto& sp = *m.subscription_parameters;
        if (sp.response_type == v11::ResponseType::CountOnly) return local_error("COUNT_ONLY subscriptions need TAXII 1.1");
        if (sp.query) return local_error("subscription queries need TAXII 1.1");
        auto r = ids_without_subtypes(sp.content_bindings);
        if (!r.ok()) return r.error();
        ids = std::move(*r);
      }
      if (m.push_parameters) {
        const auto& p = *m.push_parameters;
        o.push_parameters = v10::PushParameters{p.protocol_binding, p.address, p.message_binding, ids};
      } else if (!ids.empty()) {
        // XML 1.0 §3.6: the subscription's content bindings travel in Push_Parameters only.
        return local_error("TAXII 1.0 carries subscription content bindings only with push delivery (--inbox)");
      }
      break;
    }
    case v11::SubscriptionAction::Unsubscribe:
      o.action = v10::SubscriptionAction::Unsubscribe;
      o.subscription_id = m.subscription_id;
      break;
    case v11::SubscriptionAction::Status:
      // XML 1.0 §3.6: a 1.0 STATUS lists all of the requester's subscriptions; no ID is sent.
      o.action = v10::SubscriptionAction::Status;
      break;
    case v11::SubscriptionAction::Pause:
    case v11::SubscriptionAction::Resume:
      return local_error(std::string(to_string(m.action)) + " needs TAXII 1.1 (1.0 has SUBSCRIBE, UNSUBSCRIBE, STATUS)");
  }
  return Message{std::move(o)};
}

Result<Message> poll_to_v10(const v11::PollRequest& m) {
  auto o = with_base<v10::PollRequest>(m);
  o.feed_name = m.collection_name;
  o.exclusive_begin = m.exclusive_begin;
  o.inclusive_end = m.inclusive_end;
  o.subscription_id = m.subscription_id;
  if (m.poll_parameters) {
    const auto& p = *m.poll_parameters;
    if (p.response_type == v11::ResponseType::CountOnly) return local_error("--count-only needs TAXII 1.1");
    if (p.query) return local_error("queries need TAXII 1.1");
    if (p.allow_asynch) return local_error("asynchronous polling needs TAXII 1.1");
    auto r = ids_without_subtypes(p.content_bindings);
    if (!r.ok()) return r.error();
    o.content_bindings = std::move(*r);
  }
  return Message{std::move(o)};
}

Result<Message> inbox_to_v10(const v11::InboxMessage& m) {
  if (!m.destination_collection_names.empty())
    return local_error("destination collections (--dest) need TAXII 1.1");
  for (const auto& b : m.content_blocks)
    if (b.subtype) return local_error("content binding subtypes (--subtype) need TAXII 1.1");
  return xml::bridge_response_to_v10(Message{m});
}

// --- responses --------------------------------------------------------------------------

v11::StatusMessage status_to_v11(const v10::StatusMessage& m) {
  auto o = with_base<v11::StatusMessage>(m);
  o.status_type = m.status_type;
  o.message = m.message;
  if (!m.status_detail) return o;
  const std::string& d = *m.status_detail;
  const auto type = status_type_from_wire(m.status_type);
  auto add = [&o](std::string_view name, const std::string& v) {
    o.details.push_back({std::string(name), Mixed::text(v)});
  };
  if (type == StatusType::Retry) {
    std::string trimmed = d;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\n')) trimmed.pop_back();
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n')) trimmed.erase(0, 1);
    if (auto at = Timestamp::parse_lenient(trimmed)) {
      const int64_t wait = (at->micros() - Timestamp::now().micros()) / 1'000'000;
      add(detail_name::kEstimatedWait, std::to_string(wait < 0 ? 0 : wait));
      return o;
    }
  } else if (type == StatusType::UnsupportedMessage || type == StatusType::UnsupportedContent ||
             type == StatusType::UnsupportedProtocol) {
    const std::string_view name = type == StatusType::UnsupportedMessage ? detail_name::kSupportedBinding
                                  : type == StatusType::UnsupportedContent ? detail_name::kSupportedContent
                                                                           : detail_name::kSupportedProtocol;
    for (const auto& id : split_spaces(d)) add(name, id);
    return o;
  }
  add("STATUS_DETAIL", d);
  return o;
}

v11::DiscoveryResponse discovery_to_v11(const v10::DiscoveryResponse& m) {
  auto o = with_base<v11::DiscoveryResponse>(m);
  for (const auto& si : m.service_instances) {
    v11::ServiceInstance s;
    s.service_type = si.service_type;
    s.service_version = si.service_version;
    s.available = si.available;
    s.protocol_binding = si.protocol_binding;
    s.address = si.address;
    s.message_bindings = si.message_bindings;
    s.content_bindings = bindings_of(si.content_bindings);
    s.message = si.message;
    o.service_instances.push_back(std::move(s));
  }
  return o;
}

v11::CollectionInformationResponse feeds_to_v11(const v10::FeedInformationResponse& m) {
  auto o = with_base<v11::CollectionInformationResponse>(m);
  for (const auto& f : m.feeds) {
    v11::CollectionInformation c;
    c.collection_name = f.feed_name;
    c.collection_type = v11::CollectionType::DataFeed;
    c.available = f.available;
    c.description = f.description;
    c.content_bindings = bindings_of(f.content_bindings);
    c.push_methods = f.push_methods;
    c.polling_services = f.polling_services;
    c.subscription_services = f.subscription_services;
    o.collections.push_back(std::move(c));
  }
  return o;
}

v11::ManageCollectionSubscriptionResponse subscriptions_to_v11(const v10::ManageFeedSubscriptionResponse& m) {
  auto o = with_base<v11::ManageCollectionSubscriptionResponse>(m);
  o.collection_name = m.feed_name;
  o.message = m.message;
  for (const auto& s : m.subscriptions) {
    v11::SubscriptionInstance i;
    i.subscription_id = s.subscription_id;
    if (s.push_parameters) {
      const auto& p = *s.push_parameters;
      i.push_parameters = v11::PushParameters{p.protocol_binding, p.address, p.message_binding};
      if (!p.content_bindings.empty()) {
        v11::SubscriptionParameters sp;
        sp.content_bindings = bindings_of(p.content_bindings);
        i.subscription_parameters = std::move(sp);
      }
    }
    i.poll_instances = s.poll_instances;
    o.subscriptions.push_back(std::move(i));
  }
  return o;
}

v11::PollResponse poll_response_to_v11(const v10::PollResponse& m) {
  auto o = with_base<v11::PollResponse>(m);
  o.collection_name = m.feed_name;
  o.subscription_id = m.subscription_id;
  o.message = m.message;
  if (m.inclusive_begin) o.exclusive_begin = minus_one_micro(*m.inclusive_begin);
  o.inclusive_end = m.inclusive_end;
  for (const auto& b : m.content_blocks) {
    v11::ContentBlock c;
    c.binding_id = b.binding;
    c.content = b.content;
    c.timestamp_label = b.timestamp_label;
    c.padding = b.padding;
    c.signature = b.signature;
    o.content_blocks.push_back(std::move(c));
  }
  return o;
}

}  // namespace

Result<Message> request_to_v10(const Message& v11_request) {
  return std::visit(
      [&v11_request](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v11::DiscoveryRequest>) {
          return Message{with_base<v10::DiscoveryRequest>(m)};
        } else if constexpr (std::is_same_v<T, v11::CollectionInformationRequest>) {
          return Message{with_base<v10::FeedInformationRequest>(m)};
        } else if constexpr (std::is_same_v<T, v11::ManageCollectionSubscriptionRequest>) {
          return subscription_to_v10(m);
        } else if constexpr (std::is_same_v<T, v11::PollRequest>) {
          return poll_to_v10(m);
        } else if constexpr (std::is_same_v<T, v11::InboxMessage>) {
          return inbox_to_v10(m);
        } else if constexpr (std::is_same_v<T, v11::PollFulfillment>) {
          return local_error("Poll_Fulfillment (multi-part and asynchronous results) needs TAXII 1.1");
        } else {
          return local_error(std::string(message_type_name(v11_request)) + " is not a TAXII 1.1 request");
        }
      },
      v11_request);
}

void complete_v10_subscription_response(v11::SubscriptionAction action, const std::optional<std::string>& id,
                                        v11::ManageCollectionSubscriptionResponse& response) {
  auto& subs = response.subscriptions;
  if (action == v11::SubscriptionAction::Status && id)
    subs.erase(std::remove_if(subs.begin(), subs.end(), [&id](const v11::SubscriptionInstance& s) { return s.subscription_id != *id; }),
               subs.end());
  const auto status = action == v11::SubscriptionAction::Unsubscribe ? v11::SubscriptionStatus::Unsubscribed
                                                                     : v11::SubscriptionStatus::Active;
  for (auto& s : subs) s.status = status;
}

Result<Message> response_to_v11(Message response) {
  bool unchanged = false;
  auto converted = std::visit(
      [&response, &unchanged](const auto& m) -> Result<Message> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v10::StatusMessage>) {
          return Message{status_to_v11(m)};
        } else if constexpr (std::is_same_v<T, v10::DiscoveryResponse>) {
          return Message{discovery_to_v11(m)};
        } else if constexpr (std::is_same_v<T, v10::FeedInformationResponse>) {
          return Message{feeds_to_v11(m)};
        } else if constexpr (std::is_same_v<T, v10::ManageFeedSubscriptionResponse>) {
          return Message{subscriptions_to_v11(m)};
        } else if constexpr (std::is_same_v<T, v10::PollResponse>) {
          return Message{poll_response_to_v11(m)};
        } else if constexpr (std::is_same_v<T, v10::DiscoveryRequest> || std::is_same_v<T, v10::FeedInformationRequest> ||
                             std::is_same_v<T, v10::ManageFeedSubscriptionRequest> ||
                             std::is_same_v<T, v10::PollRequest> || std::is_same_v<T, v10::InboxMessage>) {
          return response_error("the server answered with a TAXII 1.0 " + std::string(message_type_name(response)) +
                                ", which is a request");
        } else {
          unchanged = true;  // a 1.1 message
          return Message{};
        }
      },
      response);
  if (unchanged) return response;  // moved: a parameter returned is an rvalue
  return converted;
}

}  // namespace taxii::client
