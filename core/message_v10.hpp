// The TAXII 1.0 message model (XML 1.0 §3): its own types, bridged to 1.1 shapes by the
// XML binding so services implement each rule once (docs/design.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model_common.hpp"
#include "core/timestamp.hpp"

namespace taxii::v10 {

// 1.0 Content_Block: Content_Binding is a text element (ID or nesting expression).
struct ContentBlock {
  std::string binding;
  Mixed content;
  std::optional<Timestamp> timestamp_label;
  std::optional<std::string> padding;
  std::optional<std::string> signature;
  auto tie() const { return std::tie(binding, content, timestamp_label, padding, signature); }
};

// Status_Message: 1.0 Status_Detail is a single string (XML 1.0 §3.1).
struct StatusMessage : ResponseBase {
  std::string status_type;
  std::optional<std::string> status_detail;
  std::optional<std::string> message;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(status_type, status_detail, message)); }
};

struct DiscoveryRequest : MessageBase {
  auto tie() const { return base_tie(); }
};

// @service_type: DISCOVERY, FEED_MANAGEMENT, INBOX, POLL (CollectionManagement <=> FEED_MANAGEMENT).
struct ServiceInstance : ServiceInstanceBase {
  std::vector<std::string> content_bindings;  // INBOX only
  std::optional<std::string> message;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(content_bindings, message)); }
};

struct DiscoveryResponse : ResponseBase {
  std::vector<ServiceInstance> service_instances;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(service_instances)); }
};

struct FeedInformationRequest : MessageBase {
  auto tie() const { return base_tie(); }
};

struct FeedInformation {
  std::string feed_name;
  std::optional<bool> available;
  std::string description;
  std::vector<std::string> content_bindings;  // 1..n
  std::vector<PushMethod> push_methods;
  std::vector<ServiceContact> polling_services;
  std::vector<ServiceContact> subscription_services;
  auto tie() const {
    return std::tie(feed_name, available, description, content_bindings, push_methods,
                    polling_services, subscription_services);
  }
};

struct FeedInformationResponse : ResponseBase {
  std::vector<FeedInformation> feeds;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(feeds)); }
};

// 1.0 Push_Parameters carry the subscription's content bindings as strings.
struct PushParameters {
  std::string protocol_binding;
  std::string address;
  std::string message_binding;
  std::vector<std::string> content_bindings;
  auto tie() const { return std::tie(protocol_binding, address, message_binding, content_bindings); }
};

enum class SubscriptionAction { Subscribe, Unsubscribe, Status };

// Subscription_Management_Request (Manage Feed Subscription Request, Services 1.0 §3.4.6).
struct ManageFeedSubscriptionRequest : MessageBase {
  SubscriptionAction action = SubscriptionAction::Status;
  std::string feed_name;
  std::optional<std::string> subscription_id;
  std::optional<PushParameters> push_parameters;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(action, feed_name, subscription_id, push_parameters));
  }
};

struct SubscriptionInstance {
  std::string subscription_id;
  std::optional<PushParameters> push_parameters;
  std::vector<ServiceContact> poll_instances;
  auto tie() const { return std::tie(subscription_id, push_parameters, poll_instances); }
};

struct ManageFeedSubscriptionResponse : ResponseBase {
  std::string feed_name;
  std::optional<std::string> message;
  std::vector<SubscriptionInstance> subscriptions;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(feed_name, message, subscriptions)); }
};

struct PollRequest : MessageBase {
  std::string feed_name;
  std::optional<std::string> subscription_id;
  std::optional<Timestamp> exclusive_begin;
  std::optional<Timestamp> inclusive_end;
  std::vector<std::string> content_bindings;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(feed_name, subscription_id, exclusive_begin,
                                               inclusive_end, content_bindings));
  }
};

struct PollResponse : ResponseBase {
  std::string feed_name;
  std::optional<std::string> subscription_id;
  std::optional<std::string> message;
  std::optional<Timestamp> inclusive_begin;
  Timestamp inclusive_end;  // required in 1.0
  std::vector<ContentBlock> content_blocks;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(feed_name, subscription_id, message, inclusive_begin,
                                               inclusive_end, content_blocks));
  }
};

struct SourceSubscription {
  std::string feed_name;
  std::optional<std::string> subscription_id;  // errata: required; schema: optional
  std::optional<Timestamp> inclusive_begin;
  Timestamp inclusive_end;
  auto tie() const { return std::tie(feed_name, subscription_id, inclusive_begin, inclusive_end); }
};

struct InboxMessage : MessageBase {
  std::optional<std::string> message;
  std::optional<SourceSubscription> source_subscription;
  std::vector<ContentBlock> content_blocks;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(message, source_subscription, content_blocks));
  }
};

std::string_view to_string(SubscriptionAction a);

}  // namespace taxii::v10
