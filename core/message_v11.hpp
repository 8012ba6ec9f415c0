// The TAXII 1.1 message model: one plain struct per message of XML 1.1 §3, every field the
// schema allows. Field comments give the wire name where it differs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model_common.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace taxii::v11 {

// Content_Binding with 0..n Subtype (capability lists; none => all subtypes).
struct ContentBinding {
  std::string binding_id;
  std::vector<std::string> subtypes;
  auto tie() const { return std::tie(binding_id, subtypes); }
};

// Content_Block (Services 1.1 §4.5; XML 1.1 §3.9).
struct ContentBlock {
  std::string binding_id;               // xs:string: may be a nesting expression "A|B"
  std::optional<std::string> subtype;   // Subtype 0..1 inside a block
  Mixed content;
  std::optional<Timestamp> timestamp_label;
  std::optional<std::string> message;
  std::optional<std::string> padding;
  std::optional<std::string> signature;  // ds:Signature markup
  auto tie() const {
    return std::tie(binding_id, subtype, content, timestamp_label, message, padding, signature);
  }
};

struct RecordCount {
  uint64_t count = 0;
  bool partial = false;  // @partial_count
  auto tie() const { return std::tie(count, partial); }
};

enum class ResponseType { Full, CountOnly };

// Query (format_id + body defined by the query format), kept as markup for the registry.
struct Query {
  std::string format_id;
  Mixed body;
  auto tie() const { return std::tie(format_id, body); }
};

// Push_Parameters / Delivery_Parameters: exactly one Message_Binding.
struct PushParameters {
  std::string protocol_binding;
  std::string address;
  std::string message_binding;
  auto tie() const { return std::tie(protocol_binding, address, message_binding); }
};

struct SubscriptionParameters {
  ResponseType response_type = ResponseType::Full;
  std::vector<ContentBinding> content_bindings;
  std::optional<Query> query;
  auto tie() const { return std::tie(response_type, content_bindings, query); }
};

// Status_Detail/Detail: name (URI) and a mixed text/XML value.
struct Detail {
  std::string name;
  Mixed value;
  auto tie() const { return std::tie(name, value); }
};

struct StatusMessage : ResponseBase {
  std::string status_type;              // canonical name or a third-party URI
  std::vector<Detail> details;
  std::optional<std::string> message;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(status_type, details, message)); }
};

struct DiscoveryRequest : MessageBase {
  auto tie() const { return base_tie(); }
};

struct SupportedQuery {
  std::string format_id;
  Mixed body;  // e.g. tdq:Default_Query_Info
  auto tie() const { return std::tie(format_id, body); }
};

struct ServiceInstance : ServiceInstanceBase {
  std::vector<SupportedQuery> supported_queries;
  std::vector<ContentBinding> content_bindings;
  std::optional<std::string> message;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(supported_queries, content_bindings, message));
  }
};

struct DiscoveryResponse : ResponseBase {
  std::vector<ServiceInstance> service_instances;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(service_instances)); }
};

struct CollectionInformationRequest : MessageBase {
  auto tie() const { return base_tie(); }
};

enum class CollectionType { DataFeed, DataSet };

struct ReceivingInboxService {
  ServiceContact contact;
  std::vector<ContentBinding> content_bindings;
  auto tie() const { return std::tie(contact, content_bindings); }
};

struct CollectionInformation {
  std::string collection_name;
  CollectionType collection_type = CollectionType::DataFeed;
  std::optional<bool> available;
  std::string description;
  std::optional<uint64_t> collection_volume;
  std::vector<ContentBinding> content_bindings;
  std::vector<PushMethod> push_methods;
  std::vector<ServiceContact> polling_services;
  std::vector<ServiceContact> subscription_services;
  std::vector<ReceivingInboxService> receiving_inbox_services;
  auto tie() const {
    return std::tie(collection_name, collection_type, available, description, collection_volume,
                    content_bindings, push_methods, polling_services, subscription_services,
                    receiving_inbox_services);
  }
};

struct CollectionInformationResponse : ResponseBase {
  std::vector<CollectionInformation> collections;
  auto tie() const { return std::tuple_cat(base_tie(), std::tie(collections)); }
};

enum class SubscriptionAction { Subscribe, Unsubscribe, Pause, Resume, Status };

// Subscription_Management_Request (Manage Collection Subscription Request, §4.4.6).
struct ManageCollectionSubscriptionRequest : MessageBase {
  SubscriptionAction action = SubscriptionAction::Status;
  std::string collection_name;
  std::optional<std::string> subscription_id;
  std::optional<SubscriptionParameters> subscription_parameters;
  std::optional<PushParameters> push_parameters;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(action, collection_name, subscription_id,
                                               subscription_parameters, push_parameters));
  }
};

enum class SubscriptionStatus { Active, Paused, Unsubscribed };

struct SubscriptionInstance {
  SubscriptionStatus status = SubscriptionStatus::Active;
  std::string subscription_id;
  std::optional<SubscriptionParameters> subscription_parameters;
  std::optional<PushParameters> push_parameters;
  std::vector<ServiceContact> poll_instances;
  auto tie() const {
    return std::tie(status, subscription_id, subscription_parameters, push_parameters,
                    poll_instances);
  }
};

struct ManageCollectionSubscriptionResponse : ResponseBase {
  std::string collection_name;
  std::optional<std::string> message;
  std::vector<SubscriptionInstance> subscriptions;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(collection_name, message, subscriptions));
  }
};

struct PollParameters {
  bool allow_asynch = false;
  ResponseType response_type = ResponseType::Full;
  std::vector<ContentBinding> content_bindings;
  std::optional<Query> query;
  std::optional<PushParameters> delivery_parameters;
  auto tie() const {
    return std::tie(allow_asynch, response_type, content_bindings, query, delivery_parameters);
  }
};

struct PollRequest : MessageBase {
  std::string collection_name;
  std::optional<Timestamp> exclusive_begin;
  std::optional<Timestamp> inclusive_end;
  // Exactly one of subscription_id / poll_parameters (schema xs:choice).
  std::optional<std::string> subscription_id;
  std::optional<PollParameters> poll_parameters;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(collection_name, exclusive_begin, inclusive_end,
                                               subscription_id, poll_parameters));
  }
};

struct PollResponse : ResponseBase {
  std::string collection_name;
  bool more = false;
  std::optional<std::string> result_id;
  uint64_t result_part_number = 1;
  std::optional<std::string> subscription_id;
  std::optional<Timestamp> exclusive_begin;
  std::optional<Timestamp> inclusive_end;
  std::optional<RecordCount> record_count;
  std::optional<std::string> message;
  std::vector<ContentBlock> content_blocks;
  auto tie() const {
    return std::tuple_cat(base_tie(),
                          std::tie(collection_name, more, result_id, result_part_number,
                                   subscription_id, exclusive_begin, inclusive_end, record_count,
                                   message, content_blocks));
  }
};

struct SourceSubscription {
  std::string collection_name;
  std::string subscription_id;
  std::optional<Timestamp> exclusive_begin;
  std::optional<Timestamp> inclusive_end;
  auto tie() const { return std::tie(collection_name, subscription_id, exclusive_begin, inclusive_end); }
};

struct InboxMessage : MessageBase {
  std::optional<std::string> result_id;
  std::vector<std::string> destination_collection_names;
  std::optional<std::string> message;
  std::optional<SourceSubscription> source_subscription;
  std::optional<RecordCount> record_count;
  std::vector<ContentBlock> content_blocks;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(result_id, destination_collection_names, message,
                                               source_subscription, record_count, content_blocks));
  }
};

struct PollFulfillment : MessageBase {
  std::string collection_name;
  std::string result_id;
  uint64_t result_part_number = 1;
  auto tie() const {
    return std::tuple_cat(base_tie(), std::tie(collection_name, result_id, result_part_number));
  }
};

std::string_view to_string(ResponseType t);
std::string_view to_string(CollectionType t);
std::string_view to_string(SubscriptionAction a);
std::string_view to_string(SubscriptionStatus s);

}  // namespace taxii::v11
