// XML Message Binding 1.1 (XML 1.1 §3): validated tree -> v11 model, and model -> XML. What 1.1
// shares with 1.0 (the envelope, contacts) is in binding_common.hpp.
#include "bindings/xml/binding_common.hpp"

namespace taxii::xml {
namespace {

using namespace taxii::v11;

// --- reading ----------------------------------------------------------------------------

ServiceType service_type_of(const std::string& s) {
  if (s == "DISCOVERY") return ServiceType::Discovery;
  if (s == "COLLECTION_MANAGEMENT") return ServiceType::CollectionManagement;
  if (s == "INBOX") return ServiceType::Inbox;
  if (s == "POLL") return ServiceType::Poll;
  throw MappingError{"unknown service_type " + s};
}

ResponseType response_type_of(const std::string& s) {
  if (s == "FULL") return ResponseType::Full;
  if (s == "COUNT_ONLY") return ResponseType::CountOnly;
  throw MappingError{"unknown Response_Type " + s};
}

ContentBinding read_content_binding(const Elem& e) {
  ContentBinding cb;
  cb.binding_id = e.required_attr("binding_id");
  for (const auto& s : e.children())
    if (s.local() == "Subtype") cb.subtypes.push_back(s.required_attr("subtype_id"));
  return cb;
}

PushParameters read_push(const Elem& e) {
  PushParameters p;
  for (const auto& x : e.children()) read_contact_field(x, p);
  return p;
}

Query read_query(const Elem& e) { return Query{e.required_attr("format_id"), e.inner()}; }

SubscriptionParameters read_sub_params(const Elem& e) {
  SubscriptionParameters p;
  for (const auto& x : e.children()) {
    if (x.local() == "Response_Type") p.response_type = response_type_of(x.trimmed_text());
    else if (x.local() == "Content_Binding") p.content_bindings.push_back(read_content_binding(x));
    else if (x.local() == "Query") p.query = read_query(x);
  }
  return p;
}

RecordCount read_record_count(const Elem& e) {
  RecordCount rc;
  rc.count = e.uint_value("Record_Count", e.trimmed_text());
  rc.partial = e.bool_attr("partial_count").value_or(false);
  return rc;
}

ContentBlock read_block(const Elem& e) {
  ContentBlock b;
  for (const auto& x : e.children()) {
    if (x.local() == "Content_Binding") {
      b.binding_id = x.required_attr("binding_id");
      for (const auto& s : x.children())
        if (s.local() == "Subtype") b.subtype = s.required_attr("subtype_id");
    } else if (x.local() == "Content") {
      b.content = x.inner();
    } else if (x.local() == "Timestamp_Label") {
      b.timestamp_label = x.timestamp();
    } else if (x.local() == "Message") {
      b.message = x.text();
    } else if (x.local() == "Padding") {
      b.padding = x.text();
    } else if (x.is_signature()) {
      b.signature = x.outer();
    }
  }
  return b;
}

StatusMessage read_status(const Elem& root) {
  StatusMessage m;
  m.status_type = root.required_attr("status_type");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Status_Detail") {
      for (const auto& d : x.children()) m.details.push_back({d.required_attr("name"), d.inner()});
    } else if (x.local() == "Message") {
      m.message = x.text();
    }
  });
  return m;
}

ServiceInstance read_service_instance(const Elem& x) {
  ServiceInstance si;
  si.service_type = service_type_of(x.required_attr("service_type"));
  si.service_version = x.required_attr("service_version");
  si.available = x.bool_attr("available");
  for (const auto& c : x.children()) {
    if (read_service_field(c, si)) continue;
    if (c.local() == "Supported_Query") si.supported_queries.push_back({c.required_attr("format_id"), c.inner()});
    else if (c.local() == "Content_Binding") si.content_bindings.push_back(read_content_binding(c));
  }
  return si;
}

ReceivingInboxService read_receiving_inbox(const Elem& c) {
  ReceivingInboxService r;
  r.contact = read_contact(c);
  for (const auto& p : c.children())
    if (p.local() == "Content_Binding") r.content_bindings.push_back(read_content_binding(p));
  return r;
}

CollectionInformation read_collection(const Elem& x) {
  CollectionInformation ci;
  ci.collection_name = x.required_attr("collection_name");
  if (auto t = x.optional_attr("collection_type"))
    ci.collection_type = *t == "DATA_SET" ? CollectionType::DataSet : CollectionType::DataFeed;
  ci.available = x.bool_attr("available");
  for (const auto& c : x.children()) {
    if (c.local() == "Description") ci.description = c.text();
    else if (c.local() == "Collection_Volume") ci.collection_volume = c.uint_value("Collection_Volume", c.trimmed_text());
    else if (c.local() == "Content_Binding") ci.content_bindings.push_back(read_content_binding(c));
    else if (c.local() == "Push_Method") ci.push_methods.push_back(read_push_method(c));
    else if (c.local() == "Polling_Service") ci.polling_services.push_back(read_contact(c));
    else if (c.local() == "Subscription_Service") ci.subscription_services.push_back(read_contact(c));
    else if (c.local() == "Receiving_Inbox_Service") ci.receiving_inbox_services.push_back(read_receiving_inbox(c));
  }
  return ci;
}

SubscriptionAction action_of(const std::string& s) {
  if (s == "SUBSCRIBE") return SubscriptionAction::Subscribe;
  if (s == "UNSUBSCRIBE") return SubscriptionAction::Unsubscribe;
  if (s == "PAUSE") return SubscriptionAction::Pause;
  if (s == "RESUME") return SubscriptionAction::Resume;
  if (s == "STATUS") return SubscriptionAction::Status;
  throw MappingError{"unknown action " + s};
}

ManageCollectionSubscriptionRequest read_sub_request(const Elem& root) {
  ManageCollectionSubscriptionRequest m;
  m.action = action_of(root.required_attr("action"));
  m.collection_name = root.required_attr("collection_name");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Subscription_ID") m.subscription_id = x.trimmed_text();
    else if (x.local() == "Subscription_Parameters") m.subscription_parameters = read_sub_params(x);
    else if (x.local() == "Push_Parameters") m.push_parameters = read_push(x);
  });
  return m;
}

SubscriptionInstance read_subscription(const Elem& x) {
  SubscriptionInstance s;
  const auto st = x.optional_attr("status").value_or("ACTIVE");
  s.status = st == "PAUSED" ? SubscriptionStatus::Paused
             : st == "UNSUBSCRIBED" ? SubscriptionStatus::Unsubscribed
                                    : SubscriptionStatus::Active;
  for (const auto& c : x.children()) {
    if (c.local() == "Subscription_ID") s.subscription_id = c.trimmed_text();
    else if (c.local() == "Subscription_Parameters") s.subscription_parameters = read_sub_params(c);
    else if (c.local() == "Push_Parameters") s.push_parameters = read_push(c);
    else if (c.local() == "Poll_Instance") s.poll_instances.push_back(read_contact(c));
  }
  return s;
}

ManageCollectionSubscriptionResponse read_sub_response(const Elem& root) {
  ManageCollectionSubscriptionResponse m;
  m.collection_name = root.required_attr("collection_name");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Message") m.message = x.text();
    else if (x.local() == "Subscription") m.subscriptions.push_back(read_subscription(x));
  });
  return m;
}

PollParameters read_poll_params(const Elem& x) {
  PollParameters p;
  p.allow_asynch = x.bool_attr("allow_asynch").value_or(false);
  for (const auto& c : x.children()) {
    if (c.local() == "Response_Type") p.response_type = response_type_of(c.trimmed_text());
    else if (c.local() == "Content_Binding") p.content_bindings.push_back(read_content_binding(c));
    else if (c.local() == "Query") p.query = read_query(c);
    else if (c.local() == "Delivery_Parameters") p.delivery_parameters = read_push(c);
  }
  return p;
}

PollRequest read_poll_request(const Elem& root) {
  PollRequest m;
  m.collection_name = root.required_attr("collection_name");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Poll_Parameters") m.poll_parameters = read_poll_params(x);
    else if (x.local() == "Subscription_ID") m.subscription_id = x.trimmed_text();
    else if (x.local() == "Exclusive_Begin_Timestamp") m.exclusive_begin = x.timestamp();
    else if (x.local() == "Inclusive_End_Timestamp") m.inclusive_end = x.timestamp();
  });
  return m;
}

PollResponse read_poll_response(const Elem& root) {
  PollResponse m;
  m.collection_name = root.required_attr("collection_name");
  m.more = root.bool_attr("more").value_or(false);
  m.result_id = root.optional_attr("result_id");
  if (auto p = root.optional_attr("result_part_number")) m.result_part_number = root.uint_value("result_part_number", *p);
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Subscription_ID") m.subscription_id = x.trimmed_text();
    else if (x.local() == "Exclusive_Begin_Timestamp") m.exclusive_begin = x.timestamp();
    else if (x.local() == "Inclusive_End_Timestamp") m.inclusive_end = x.timestamp();
    else if (x.local() == "Record_Count") m.record_count = read_record_count(x);
    else if (x.local() == "Message") m.message = x.text();
    else if (x.local() == "Content_Block") m.content_blocks.push_back(read_block(x));
  });
  return m;
}

SourceSubscription read_source_subscription(const Elem& x) {
  SourceSubscription s;
  s.collection_name = x.required_attr("collection_name");
  for (const auto& c : x.children()) {
    if (c.local() == "Subscription_ID") s.subscription_id = c.trimmed_text();
    else if (c.local() == "Exclusive_Begin_Timestamp") s.exclusive_begin = c.timestamp();
    else if (c.local() == "Inclusive_End_Timestamp") s.inclusive_end = c.timestamp();
  }
  return s;
}

InboxMessage read_inbox(const Elem& root) {
  InboxMessage m;
  m.result_id = root.optional_attr("result_id");
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == "Source_Subscription") m.source_subscription = read_source_subscription(x);
    else if (x.local() == "Destination_Collection_Name") m.destination_collection_names.push_back(x.trimmed_text());
    else if (x.local() == "Message") m.message = x.text();
    else if (x.local() == "Record_Count") m.record_count = read_record_count(x);
    else if (x.local() == "Content_Block") m.content_blocks.push_back(read_block(x));
  });
  return m;
}

PollFulfillment read_fulfillment(const Elem& root) {
  PollFulfillment m;
  m.collection_name = root.required_attr("collection_name");
  m.result_id = root.required_attr("result_id");
  // Absent part number is read as 1 (schema optional, XML 1.1 Table 15 required; docs/decisions.md).
  if (auto p = root.optional_attr("result_part_number")) m.result_part_number = root.uint_value("result_part_number", *p);
  read_common(root, m, [](const Elem&) {});
  return m;
}


// --- semantic rules the schema cannot express (docs/spec-notes.md S) -------------------------

const Detail* find_detail(const StatusMessage& m, std::string_view name) {
  for (const auto& d : m.details)
    if (d.name == name) return &d;
  return nullptr;
}

bool is_uint(std::string_view s) {
  return !s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void check(const Message& msg) {
  std::visit(
      [](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, StatusMessage>) {
          auto need = [&](std::string_view name) -> std::string {
            const Detail* d = find_detail(m, name);
            if (d == nullptr)
              throw MappingError{"Status_Message " + m.status_type + ": required Status_Detail " +
                                 std::string(name) + " is missing"};
            return Elem::trim(d->value.text_value());
          };
          if (m.status_type == "PENDING") {
            if (!is_uint(need("ESTIMATED_WAIT"))) throw MappingError{"Status_Message PENDING: ESTIMATED_WAIT is not an integer"};
            if (need("RESULT_ID").empty()) throw MappingError{"Status_Message PENDING: RESULT_ID is empty"};
            const auto wp = need("WILL_PUSH");
            if (wp != "true" && wp != "false" && wp != "1" && wp != "0")
              throw MappingError{"Status_Message PENDING: WILL_PUSH is not a boolean"};
          } else if (m.status_type == "INVALID_RESPONSE_PART") {
            if (!is_uint(need("MAX_PART_NUMBER")))
              throw MappingError{"Status_Message INVALID_RESPONSE_PART: MAX_PART_NUMBER is not an integer"};
          }
        } else if constexpr (std::is_same_v<T, ManageCollectionSubscriptionRequest>) {
          // Services 1.1 §4.4.6: Subscription_ID MUST be present for UNSUBSCRIBE, PAUSE, RESUME.
          if ((m.action == SubscriptionAction::Unsubscribe || m.action == SubscriptionAction::Pause ||
               m.action == SubscriptionAction::Resume) && !m.subscription_id)
            throw MappingError{"Subscription_Management_Request: action " + std::string(to_string(m.action)) +
                               " requires a Subscription_ID"};
        } else if constexpr (std::is_same_v<T, PollRequest>) {
          // XML 1.1 §3.8: if both are present, the end MUST be later than the begin.
          if (m.exclusive_begin && m.inclusive_end && !(*m.exclusive_begin < *m.inclusive_end))
            throw MappingError{"Poll_Request: Exclusive_Begin_Timestamp is not earlier than Inclusive_End_Timestamp"};
          if (m.subscription_id.has_value() == m.poll_parameters.has_value())
            throw MappingError{"Poll_Request: exactly one of Subscription_ID and Poll_Parameters is required"};
          // Services 1.1 §4.4.8 forbids Delivery_Parameters without allow_asynch="true", but
          // libtaxii sends them (samples/1.1/Poll_Request-full.xml) and the same section says
          // unusable delivery parameters are ignored, never an error: the poll service ignores them.
        } else if constexpr (std::is_same_v<T, PollResponse>) {
          if (m.more && !m.result_id) throw MappingError{"Poll_Response: more=\"true\" requires a result_id"};
          if (m.result_part_number == 0) throw MappingError{"Poll_Response: result_part_number must be positive"};
          if (m.record_count && m.record_count->count < m.content_blocks.size())
            throw MappingError{"Poll_Response: Record_Count is smaller than the number of Content_Blocks"};
        } else if constexpr (std::is_same_v<T, InboxMessage>) {
          if (m.record_count && m.record_count->count < m.content_blocks.size())
            throw MappingError{"Inbox_Message: Record_Count is smaller than the number of Content_Blocks"};
        } else if constexpr (std::is_same_v<T, PollFulfillment>) {
          if (m.result_part_number == 0) throw MappingError{"Poll_Fulfillment: result_part_number must be positive"};
        }
      },
      msg);
}

// --- writing ----------------------------------------------------------------------------

constexpr Dialect kDialect{"taxii_11", "xmlns:taxii_11", urn::kNsXml11};

void write_content_binding(XmlWriter& w, std::string_view name, const ContentBinding& cb) {
  w.open(name).attr("binding_id", cb.binding_id);
  for (const auto& s : cb.subtypes) w.open("Subtype").attr("subtype_id", s).close("Subtype");
  w.close(name);
}

void write_contact(XmlWriter& w, std::string_view name, const ServiceContact& c,
                   const std::vector<ContentBinding>* bindings = nullptr) {
  w.open(name);
  write_contact_fields(w, c);
  if (bindings != nullptr)
    for (const auto& cb : *bindings) write_content_binding(w, "Content_Binding", cb);
  w.close(name);
}

void write_push(XmlWriter& w, std::string_view name, const PushParameters& p) {
  w.open(name)
      .leaf("Protocol_Binding", p.protocol_binding)
      .leaf("Address", p.address)
      .leaf("Message_Binding", p.message_binding)
      .close(name);
}

void write_sub_params(XmlWriter& w, const SubscriptionParameters& p) {
  w.open("Subscription_Parameters").leaf("Response_Type", to_string(p.response_type));
  for (const auto& cb : p.content_bindings) write_content_binding(w, "Content_Binding", cb);
  if (p.query) write_named_mixed(w, "Query", "format_id", p.query->format_id, p.query->body);
  w.close("Subscription_Parameters");
}

void write_record_count(XmlWriter& w, const RecordCount& rc) {
  w.open("Record_Count");
  if (rc.partial) w.attr_bool("partial_count", true);
  w.text(std::to_string(rc.count)).close("Record_Count");
}

void write_block(XmlWriter& w, const ContentBlock& b) {
  w.open("Content_Block");
  w.open("Content_Binding").attr("binding_id", b.binding_id);
  if (b.subtype) w.open("Subtype").attr("subtype_id", *b.subtype).close("Subtype");
  w.close("Content_Binding");
  w.mixed("Content", b.content);
  if (b.timestamp_label) w.leaf("Timestamp_Label", b.timestamp_label->to_string());
  if (b.message) w.leaf("Message", *b.message);
  if (b.padding) w.leaf("Padding", *b.padding);
  if (b.signature) w.raw(*b.signature);
  w.close("Content_Block");
}

void write_timestamp(XmlWriter& w, std::string_view name, const std::optional<Timestamp>& t) {
  if (t) w.leaf(name, t->to_string());
}

template <class M>
void head(XmlWriter& w, std::string_view name, const M& m, const std::function<void(XmlWriter&)>& attrs) {
  write_head(w, kDialect.xmlns_attr, kDialect.ns, name, m, attrs);
}

// One function per message (XML 1.1 §3.1 - §3.11) but the envelope-only ones, each writing the
// whole document.

void write_message(XmlWriter& w, std::string_view name, const StatusMessage& m) {
  head(w, name, m, [&](XmlWriter& x) { x.attr("status_type", m.status_type); });
  if (!m.details.empty()) {
    w.open("Status_Detail");
    for (const auto& d : m.details) write_named_mixed(w, "Detail", "name", d.name, d.value);
    w.close("Status_Detail");
  }
  if (m.message) w.leaf("Message", *m.message);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const DiscoveryResponse& m) {
  head(w, name, m, no_attrs);
  for (const auto& si : m.service_instances) {
    w.open("Service_Instance").attr("service_type", to_string(si.service_type)).attr("service_version", si.service_version);
    if (si.available) w.attr_bool("available", *si.available);
    w.leaf("Protocol_Binding", si.protocol_binding).leaf("Address", si.address);
    for (const auto& mb : si.message_bindings) w.leaf("Message_Binding", mb);
    for (const auto& q : si.supported_queries) write_named_mixed(w, "Supported_Query", "format_id", q.format_id, q.body);
    for (const auto& cb : si.content_bindings) write_content_binding(w, "Content_Binding", cb);
    if (si.message) w.leaf("Message", *si.message);
    w.close("Service_Instance");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const CollectionInformationResponse& m) {
  head(w, name, m, no_attrs);
  for (const auto& c : m.collections) {
    w.open("Collection").attr("collection_name", c.collection_name).attr("collection_type", to_string(c.collection_type));
    if (c.available) w.attr_bool("available", *c.available);
    w.leaf("Description", c.description);
    if (c.collection_volume) w.leaf("Collection_Volume", std::to_string(*c.collection_volume));
    for (const auto& cb : c.content_bindings) write_content_binding(w, "Content_Binding", cb);
    for (const auto& pm : c.push_methods) write_push_method(w, pm);
    for (const auto& s : c.polling_services) write_contact(w, "Polling_Service", s);
    for (const auto& s : c.subscription_services) write_contact(w, "Subscription_Service", s);
    for (const auto& r : c.receiving_inbox_services)
      write_contact(w, "Receiving_Inbox_Service", r.contact, &r.content_bindings);
    w.close("Collection");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const ManageCollectionSubscriptionRequest& m) {
  head(w, name, m, [&](XmlWriter& x) {
    x.attr("action", to_string(m.action)).attr("collection_name", m.collection_name);
  });
  if (m.subscription_id) w.leaf("Subscription_ID", *m.subscription_id);
  if (m.subscription_parameters) write_sub_params(w, *m.subscription_parameters);
  if (m.push_parameters) write_push(w, "Push_Parameters", *m.push_parameters);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const ManageCollectionSubscriptionResponse& m) {
  head(w, name, m, [&](XmlWriter& x) { x.attr("collection_name", m.collection_name); });
  if (m.message) w.leaf("Message", *m.message);
  for (const auto& s : m.subscriptions) {
    w.open("Subscription").attr("status", to_string(s.status));
    w.leaf("Subscription_ID", s.subscription_id);
    if (s.subscription_parameters) write_sub_params(w, *s.subscription_parameters);
    if (s.push_parameters) write_push(w, "Push_Parameters", *s.push_parameters);
    for (const auto& p : s.poll_instances) write_contact(w, "Poll_Instance", p);
    w.close("Subscription");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const PollRequest& m) {
  head(w, name, m, [&](XmlWriter& x) { x.attr("collection_name", m.collection_name); });
  write_timestamp(w, "Exclusive_Begin_Timestamp", m.exclusive_begin);
  write_timestamp(w, "Inclusive_End_Timestamp", m.inclusive_end);
  if (m.subscription_id) w.leaf("Subscription_ID", *m.subscription_id);
  if (m.poll_parameters) {
    const auto& p = *m.poll_parameters;
    w.open("Poll_Parameters").attr_bool("allow_asynch", p.allow_asynch);
    w.leaf("Response_Type", to_string(p.response_type));
    for (const auto& cb : p.content_bindings) write_content_binding(w, "Content_Binding", cb);
    if (p.query) write_named_mixed(w, "Query", "format_id", p.query->format_id, p.query->body);
    if (p.delivery_parameters) write_push(w, "Delivery_Parameters", *p.delivery_parameters);
    w.close("Poll_Parameters");
  }
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const PollResponse& m) {
  head(w, name, m, [&](XmlWriter& x) {
    x.attr("collection_name", m.collection_name).attr_bool("more", m.more);
    if (m.result_id) x.attr("result_id", *m.result_id);
    x.attr_uint("result_part_number", m.result_part_number);
  });
  if (m.subscription_id) w.leaf("Subscription_ID", *m.subscription_id);
  write_timestamp(w, "Exclusive_Begin_Timestamp", m.exclusive_begin);
  write_timestamp(w, "Inclusive_End_Timestamp", m.inclusive_end);
  if (m.record_count) write_record_count(w, *m.record_count);
  if (m.message) w.leaf("Message", *m.message);
  for (const auto& b : m.content_blocks) write_block(w, b);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const InboxMessage& m) {
  head(w, name, m, [&](XmlWriter& x) {
    if (m.result_id) x.attr("result_id", *m.result_id);
  });
  for (const auto& d : m.destination_collection_names) w.leaf("Destination_Collection_Name", d);
  if (m.message) w.leaf("Message", *m.message);
  if (m.source_subscription) {
    const auto& s = *m.source_subscription;
    w.open("Source_Subscription").attr("collection_name", s.collection_name);
    w.leaf("Subscription_ID", s.subscription_id);
    write_timestamp(w, "Exclusive_Begin_Timestamp", s.exclusive_begin);
    write_timestamp(w, "Inclusive_End_Timestamp", s.inclusive_end);
    w.close("Source_Subscription");
  }
  if (m.record_count) write_record_count(w, *m.record_count);
  for (const auto& b : m.content_blocks) write_block(w, b);
  write_tail(w, name, m);
}

void write_message(XmlWriter& w, std::string_view name, const PollFulfillment& m) {
  head(w, name, m, [&](XmlWriter& x) {
    x.attr("collection_name", m.collection_name).attr("result_id", m.result_id);
    x.attr_uint("result_part_number", m.result_part_number);
  });
  write_tail(w, name, m);
}

std::string serialize(const Message& msg, std::vector<SegmentedBody::Insert>* inserts) {
  return write_document<Version::V11>(
      msg, inserts, kDialect, [](XmlWriter& w, std::string_view name, const auto& m) { write_message(w, name, m); });
}

Message read_root(const Elem& root) {
  const auto n = root.local();
  if (n == "Status_Message") return read_status(root);
  if (n == "Discovery_Request") return read_empty<DiscoveryRequest>(root);
  if (n == "Discovery_Response")
    return read_list(root, "Service_Instance", &DiscoveryResponse::service_instances, read_service_instance);
  if (n == "Collection_Information_Request") return read_empty<CollectionInformationRequest>(root);
  if (n == "Collection_Information_Response")
    return read_list(root, "Collection", &CollectionInformationResponse::collections, read_collection);
  if (n == "Subscription_Management_Request") return read_sub_request(root);
  if (n == "Subscription_Management_Response") return read_sub_response(root);
  if (n == "Poll_Request") return read_poll_request(root);
  if (n == "Poll_Response") return read_poll_response(root);
  if (n == "Inbox_Message") return read_inbox(root);
  if (n == "Poll_Fulfillment") return read_fulfillment(root);
  throw MappingError{"not a TAXII 1.1 message: " + std::string(n)};
}

}  // namespace

Result<Message> map_v11(const XmlDocument& doc) { return map_checked(doc, read_root, check); }

Result<std::string> write_v11(const Message& m, std::vector<SegmentedBody::Insert>* inserts) {
  return write_checked(m, Version::V11, check, serialize, inserts);
}

}  // namespace taxii::xml
