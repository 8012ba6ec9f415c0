// XML Message Binding 1.0 (XML 1.0 §3): validated tree -> v10 model, and model -> XML.
// Same structure as binding_v11.cpp, fields in schema order. What 1.0 shares with 1.1 (the
// envelope, contacts) is in binding_common.hpp.
#include "bindings/xml/binding_common.hpp"

namespace taxii::xml {
namespace {

using namespace taxii::v10;

// --- reading ----------------------------------------------------------------------------

// XML 1.0 §3.3: the Collection Management service of 1.1 is "Feed Management" in 1.0.
ServiceType service_type_of(const std::string& s) {
  if (s == "DISCOVERY") return ServiceType::Discovery;
  if (s == "FEED_MANAGEMENT") return ServiceType::CollectionManagement;
  if (s == "INBOX") return ServiceType::Inbox;
  if (s == "POLL") return ServiceType::Poll;
  throw MappingError{"unknown service_type " + s};
}

std::string_view service_type_name(ServiceType t) {
  return t == ServiceType::CollectionManagement ? std::string_view("FEED_MANAGEMENT") : to_string(t);
}

// XML 1.0 §3.6: Push_Parameters carry the subscription's content bindings as text elements.
PushParameters read_push(const Elem& e) {
  PushParameters p;
  for (const auto& x : e.children())
    if (!read_contact_field(x, p) && x.local() == "Content_Binding") p.content_bindings.push_back(x.trimmed_text());
  return p;
}

ContentBlock read_block(const Elem& e) {
  ContentBlock b;
  for (const auto& x : e.children()) {
    if (x.local() == "Content_Binding") b.binding = x.trimmed_text();
    else if (x.local() == "Content") b.content = x.inner();
    else if (x.local() == "Timestamp_Label") b.timestamp_label = x.timestamp();
    else if (x.local() == "Padding") b.padding = x.text();
    else if (x.is_signature()) b.signature = x.outer();
  }
  return b;
}

// A required timestamp element: validation guarantees it, but the mapping fails softly.
Timestamp required_timestamp(const std::optional<Timestamp>& t, std::string_view where) {
  if (!t) throw MappingError{std::string(where) + ": Inclusive_End_Timestamp is missing"};
  return *t;
}

StatusMessage read_status(const Elem& root) {
  StatusMessage m;
  m.status_type = root.required_attr("status_type");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Status_Detail") m.status_detail = x.text();
    else if (x.local() == "Message") m.message = x.text();
  });
  return m;
}

ServiceInstance read_service_instance(const Elem& x) {
  ServiceInstance si;
  si.service_type = service_type_of(x.required_attr("service_type"));
  si.service_version = x.required_attr("service_version");
  si.available = x.bool_attr("available");
  for (const auto& c : x.children())
    if (!read_service_field(c, si) && c.local() == "Content_Binding") si.content_bindings.push_back(c.trimmed_text());
  return si;
}

FeedInformation read_feed(const Elem& x) {
  FeedInformation f;
  f.feed_name = x.required_attr("feed_name");
  f.available = x.bool_attr("available");
  for (const auto& c : x.children()) {
    if (c.local() == "Description") f.description = c.text();
    else if (c.local() == "Content_Binding") f.content_bindings.push_back(c.trimmed_text());
    else if (c.local() == "Push_Method") f.push_methods.push_back(read_push_method(c));
    else if (c.local() == "Polling_Service") f.polling_services.push_back(read_contact(c));
    else if (c.local() == "Subscription_Service") f.subscription_services.push_back(read_contact(c));
  }
  return f;
}

SubscriptionAction action_of(const std::string& s) {
  if (s == "SUBSCRIBE") return SubscriptionAction::Subscribe;
  if (s == "UNSUBSCRIBE") return SubscriptionAction::Unsubscribe;
  if (s == "STATUS") return SubscriptionAction::Status;
  throw MappingError{"unknown action " + s};
}

// docs/spec-notes.md P14: libtaxii sends Push_Parameters with UNSUBSCRIBE. They are accepted and
// kept in the model; services ignore them (the bridge drops them).
ManageFeedSubscriptionRequest read_sub_request(const Elem& root) {
  ManageFeedSubscriptionRequest m;
  m.action = action_of(root.required_attr("action"));
  m.feed_name = root.required_attr("feed_name");
  m.subscription_id = root.optional_attr("subscription_id");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Push_Parameters") m.push_parameters = read_push(x);
  });
  return m;
}

SubscriptionInstance read_subscription(const Elem& x) {
  SubscriptionInstance s;
  s.subscription_id = x.required_attr("subscription_id");
  for (const auto& c : x.children()) {
    if (c.local() == "Push_Parameters") s.push_parameters = read_push(c);
    else if (c.local() == "Poll_Instance") s.poll_instances.push_back(read_contact(c));
  }
  return s;
}

ManageFeedSubscriptionResponse read_sub_response(const Elem& root) {
  ManageFeedSubscriptionResponse m;
  m.feed_name = root.required_attr("feed_name");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Message") m.message = x.text();
    else if (x.local() == "Subscription") m.subscriptions.push_back(read_subscription(x));
  });
  return m;
}

PollRequest read_poll_request(const Elem& root) {
  PollRequest m;
  m.feed_name = root.required_attr("feed_name");
  m.subscription_id = root.optional_attr("subscription_id");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Exclusive_Begin_Timestamp") m.exclusive_begin = x.timestamp();
    else if (x.local() == "Inclusive_End_Timestamp") m.inclusive_end = x.timestamp();
    else if (x.local() == "Content_Binding") m.content_bindings.push_back(x.trimmed_text());
  });
  return m;
}

PollResponse read_poll_response(const Elem& root) {
  PollResponse m;
  m.feed_name = root.required_attr("feed_name");
  m.subscription_id = root.optional_attr("subscription_id");
  std::optional<Timestamp> end;
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Message") m.message = x.text();
    else if (x.local() == "Inclusive_Begin_Timestamp") m.inclusive_begin = x.timestamp();
    else if (x.local() == "Inclusive_End_Timestamp") end = x.timestamp();
    else if (x.local() == "Content_Block") m.content_blocks.push_back(read_block(x));
  });
  m.inclusive_end = required_timestamp(end, "Poll_Response");
  return m;
}

InboxMessage read_inbox(const Elem& root) {
  InboxMessage m;
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Message") {
      m.message = x.text();
    } else if (x.local() == "Source_Subscription") {
      SourceSubscription s;
      s.feed_name = x.required_attr("feed_name");
      s.subscription_id = x.optional_attr("subscription_id");
      std::optional<Timestamp> end;
      for (const auto& c : x.children()) {
        if (c.local() == "Inclusive_Begin_Timestamp") s.inclusive_begin = c.timestamp();
        else if (c.local() == "Inclusive_End_Timestamp") end = c.timestamp();
      }
      s.inclusive_end = required_timestamp(end, "Inbox_Message/Source_Subscription");
      m.source_subscription = std::move(s);
    } else if (x.local() == "Content_Block") {
      m.content_blocks.push_back(read_block(x));
    }
  });
  return m;
}

// --- rules the schema cannot express, and schema rules the model can break ---------------
//
// Checked after parsing and before writing. Parsed messages have passed the schema, so the
// structural checks (digits-only IDs, 1..n lists) only ever fire when writing a model that
// was built in code, e.g. by the bridge.
//
// Deliberately NOT checked:
// - Poll_Response / Source_Subscription Inclusive_Begin <= Inclusive_End: libtaxii's own 1.0
//   Poll_Response test messages have begin later than end (samples/1.0/Poll_Response-*.xml);
//   XML 1.0 states no ordering rule for responses.
// - Source_Subscription/@subscription_id: required by Errata 1.0 TAXII-XML-1.0-Err-01 but
//   optional in the schema and the model; the bridge refuses an Inbox_Message without it.
// - The format of the 1.0 Status_Detail string (RETRY: a timestamp; UNSUPPORTED_*: a
//   space-separated ID list): a malformed hint must not cost the receiver the status itself.
// - subscription_id with SUBSCRIBE/STATUS and Push_Parameters with UNSUBSCRIBE/STATUS: SHOULD
//   NOT be sent, MUST be ignored (XML 1.0 §3.6; docs/spec-notes.md P14).

bool is_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void need_bindings(const std::vector<std::string>& v, const std::string& where) {
  if (v.empty()) throw MappingError{where + ": at least one Message_Binding is required"};
}

void check(const Message& msg) {
  const std::string name(message_type_name(msg));
  std::visit(
      [&name](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        // XML 1.0 §2.2.1: message IDs are strings of digits.
        if (!is_digits(m.message_id))
          throw MappingError{name + ": message_id must be digits only (XML 1.0 §2.2.1): " + m.message_id};
        if constexpr (std::is_base_of_v<ResponseBase, T>) {
          if (!is_digits(m.in_response_to))
            throw MappingError{name + ": in_response_to must be digits only (XML 1.0 §2.2.1): " +
                               m.in_response_to};
        }
        if constexpr (std::is_same_v<T, DiscoveryResponse>) {
          for (const auto& si : m.service_instances)
            need_bindings(si.message_bindings, name + ": Service_Instance at " + si.address);
        } else if constexpr (std::is_same_v<T, FeedInformationResponse>) {
          for (const auto& f : m.feeds) {
            const std::string where = name + ": Feed " + f.feed_name;
            if (f.content_bindings.empty())
              throw MappingError{where + ": at least one Content_Binding is required (XML 1.0 §3.5)"};
            // XML 1.0 §3.5: at least one Push_Method or Polling_Service MUST be present. Every
            // 1.0 sample satisfies it (and both the official and our schema enforce it).
            if (f.push_methods.empty() && f.polling_services.empty())
              throw MappingError{where + ": at least one Push_Method or Polling_Service is required (XML 1.0 §3.5)"};
            for (const auto& p : f.push_methods) need_bindings(p.message_bindings, where + ": Push_Method");
            for (const auto& c : f.polling_services) need_bindings(c.message_bindings, where + ": Polling_Service");
            for (const auto& c : f.subscription_services)
              need_bindings(c.message_bindings, where + ": Subscription_Service");
          }
        } else if constexpr (std::is_same_v<T, ManageFeedSubscriptionRequest>) {
          // XML 1.0 §3.6: subscription_id MUST be present for UNSUBSCRIBE.
          if (m.action == SubscriptionAction::Unsubscribe && !m.subscription_id)
            throw MappingError{name + ": action UNSUBSCRIBE requires a subscription_id"};
        } else if constexpr (std::is_same_v<T, ManageFeedSubscriptionResponse>) {
          for (const auto& s : m.subscriptions)
            for (const auto& c : s.poll_instances)
              need_bindings(c.message_bindings, name + ": Subscription " + s.subscription_id + ": Poll_Instance");
        } else if constexpr (std::is_same_v<T, PollRequest>) {
          // XML 1.0 §3.8: the window is (begin, end] (XML Binding 1.0 §3); begin >= end is empty.
          if (m.exclusive_begin && m.inclusive_end && !(*m.exclusive_begin < *m.inclusive_end))
            throw MappingError{name + ": Exclusive_Begin_Timestamp is not earlier than Inclusive_End_Timestamp"};
        }
      },
      msg);
}

// --- writing ----------------------------------------------------------------------------

constexpr Dialect kDialect{"taxii", "xmlns:taxii", urn::kNsXml10};

void write_contact(XmlWriter& w, std::string_view name, const ServiceContact& c) {
  w.open(name);
  write_contact_fields(w, c);
  w.close(name);
}

void write_push(XmlWriter& w, const PushParameters& p) {
  w.open("Push_Parameters")
      .leaf("Protocol_Binding", p.protocol_binding)
      .leaf("Address", p.address)
      .leaf("Message_Binding", p.message_binding);
  for (const auto& cb : p.content_bindings) w.leaf("Content_Binding", cb);
  w.close("Push_Parameters");
}

void write_block(XmlWriter& w, const ContentBlock& b) {
  w.open("Content_Block");
  w.leaf("Content_Binding", b.binding);
  w.mixed("Content", b.content);
  if (b.timestamp_label) w.leaf("Timestamp_Label", b.timestamp_label->to_string());
  if (b.padding) w.leaf("Padding", *b.padding);
  if (b.signature) w.raw(*b.signature);
  w.close("Content_Block");
}

template <class M>
void head(XmlWriter& w, std::string_view name, const M& m, const std::function<void(XmlWriter&)>& attrs) {
  write_head(w, kDialect.xmlns_attr, kDialect.ns, name, m, attrs);
}

// The @feed_name and optional @subscription_id of Subscription_Management_Request, Poll_Request
// and Poll_Response (XML 1.0 §3.6 - §3.8).
void feed_attrs(XmlWriter& x, const std::string& feed_name, const std::optional<std::string>& subscription_id) {
  x.attr("feed_name", feed_name);
  if (subscription_id) x.attr("subscription_id", *subscription_id);
}

// One function per message (XML 1.0 §3.1 - §3.9) but the envelope-only ones, each writing the
// whole document.

void write_message(XmlWriter& w, std::string_view name, const StatusMessage& m) {
  head(w, name, m, [&](XmlWriter& x) { x.attr("status_type", m.status_type); });
  if (m.status_detail) w.leaf("Status_Detail", *m.status_detail);
  if (m.message) w.leaf("Message", *m.message);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const DiscoveryResponse& m) {
  head(w, name, m, no_attrs);
  for (const auto& si : m.service_instances) {
    w.open("Service_Instance")
        .attr("service_type", service_type_name(si.service_type))
        .attr("service_version", si.service_version);
    if (si.available) w.attr_bool("available", *si.available);
    w.leaf("Protocol_Binding", si.protocol_binding).leaf("Address", si.address);
    for (const auto& mb : si.message_bindings) w.leaf("Message_Binding", mb);
    for (const auto& cb : si.content_bindings) w.leaf("Content_Binding", cb);
    if (si.message) w.leaf("Message", *si.message);
    w.close("Service_Instance");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const FeedInformationResponse& m) {
  head(w, name, m, no_attrs);
  for (const auto& f : m.feeds) {
    w.open("Feed").attr("feed_name", f.feed_name);
    if (f.available) w.attr_bool("available", *f.available);
    w.leaf("Description", f.description);
    for (const auto& cb : f.content_bindings) w.leaf("Content_Binding", cb);
    for (const auto& pm : f.push_methods) write_push_method(w, pm);
    for (const auto& s : f.polling_services) write_contact(w, "Polling_Service", s);
    for (const auto& s : f.subscription_services) write_contact(w, "Subscription_Service", s);
    w.close("Feed");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const ManageFeedSubscriptionRequest& m) {
  head(w, name, m, [&](XmlWriter& x) {
    x.attr("action", to_string(m.action));
    feed_attrs(x, m.feed_name, m.subscription_id);
  });
  if (m.push_parameters) write_push(w, *m.push_parameters);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const ManageFeedSubscriptionResponse& m) {
  head(w, name, m, [&](XmlWriter& x) { x.attr("feed_name", m.feed_name); });
  if (m.message) w.leaf("Message", *m.message);
  for (const auto& s : m.subscriptions) {
    w.open("Subscription").attr("subscription_id", s.subscription_id);
    if (s.push_parameters) write_push(w, *s.push_parameters);
    for (const auto& p : s.poll_instances) write_contact(w, "Poll_Instance", p);
    w.close("Subscription");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const PollRequest& m) {
  head(w, name, m, [&](XmlWriter& x) { feed_attrs(x, m.feed_name, m.subscription_id); });
  if (m.exclusive_begin) w.leaf("Exclusive_Begin_Timestamp", m.exclusive_begin->to_string());
  if (m.inclusive_end) w.leaf("Inclusive_End_Timestamp", m.inclusive_end->to_string());
  for (const auto& cb : m.content_bindings) w.leaf("Content_Binding", cb);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const PollResponse& m) {
  head(w, name, m, [&](XmlWriter& x) { feed_attrs(x, m.feed_name, m.subscription_id); });
  if (m.message) w.leaf("Message", *m.message);
  if (m.inclusive_begin) w.leaf("Inclusive_Begin_Timestamp", m.inclusive_begin->to_string());
  w.leaf("Inclusive_End_Timestamp", m.inclusive_end.to_string());
  for (const auto& b : m.content_blocks) write_block(w, b);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const InboxMessage& m) {
  head(w, name, m, no_attrs);
  if (m.message) w.leaf("Message", *m.message);
  if (m.source_subscription) {
    const auto& s = *m.source_subscription;
    w.open("Source_Subscription");
    feed_attrs(w, s.feed_name, s.subscription_id);
    if (s.inclusive_begin) w.leaf("Inclusive_Begin_Timestamp", s.inclusive_begin->to_string());
    w.leaf("Inclusive_End_Timestamp", s.inclusive_end.to_string());
    w.close("Source_Subscription");
  }
  for (const auto& b : m.content_blocks) write_block(w, b);
  write_tail(w, name, m);
}

std::string serialize(const Message& msg, std::vector<SegmentedBody::Insert>* inserts) {
  return write_document<Version::V10>(
      msg, inserts, kDialect, [](XmlWriter& w, std::string_view name, const auto& m) { write_message(w, name, m); });
}

Message read_root(const Elem& root) {
  const auto n = root.local();
  if (n == "Status_Message") return read_status(root);
  if (n == "Discovery_Request") return read_empty<DiscoveryRequest>(root);
  if (n == "Discovery_Response")
    return read_list(root, "Service_Instance", &DiscoveryResponse::service_instances, read_service_instance);
  if (n == "Feed_Information_Request") return read_empty<FeedInformationRequest>(root);
  if (n == "Feed_Information_Response") return read_list(root, "Feed", &FeedInformationResponse::feeds, read_feed);
  if (n == "Subscription_Management_Request") return read_sub_request(root);
  if (n == "Subscription_Management_Response") return read_sub_response(root);
  if (n == "Poll_Request") return read_poll_request(root);
  if (n == "Poll_Response") return read_poll_response(root);
  if (n == "Inbox_Message") return read_inbox(root);
  throw MappingError{"not a TAXII 1.0 message: " + std::string(n)};
}

}  // namespace

Result<Message> map_v10(const XmlDocument& doc) { return map_checked(doc, read_root, check); }

Result<std::string> write_v10(const Message& m, std::vector<SegmentedBody::Insert>* inserts) {
  return write_checked(m, Version::V10, check, serialize, inserts);
}

}  // namespace taxii::xml
