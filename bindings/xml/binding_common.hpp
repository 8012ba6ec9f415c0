// What the XML Message Bindings 1.1 and 1.0 share (XML 1.1 §3 / XML 1.0 §3): the message envelope
// (@message_id, @in_response_to, Extended_Headers first, the enveloped ds:Signature last), the
// service contact and Push_Method shapes both versions use, and the frame of a version's mapping
// (MappingError to BadMessage, the rules checked after reading and before writing). Internal to
// bindings/xml: binding_v11.cpp and binding_v10.cpp hold what differs.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "bindings/xml/binding_internal.hpp"
#include "bindings/xml/tree_reader.hpp"
#include "bindings/xml/xml_writer.hpp"

namespace taxii::xml {

// --- reading ------------------------------------------------------------------------------

// Reads @message_id (and a response's @in_response_to), Extended_Headers and ds:Signature; hands
// every other child to `body`.
template <class M>
void read_common(const Elem& root, M& m, const std::function<void(const Elem&)>& body) {
  m.message_id = root.required_attr("message_id");
  if (m.message_id.empty()) throw MappingError{"message_id is empty"};
  if constexpr (std::is_base_of_v<ResponseBase, M>) m.in_response_to = root.required_attr("in_response_to");
  for (const auto& x : root.children()) {
    if (x.local() == "Extended_Headers" && x.ns() == root.ns()) {
      for (const auto& h : x.children())
        m.extended_headers.push_back({h.required_attr("name"), h.inner()});
    } else if (x.is_signature()) {
      m.signature = x.outer();
    } else {
      body(x);
    }
  }
}

// A message with nothing but the envelope (Discovery_Request, Collection/Feed_Information_Request).
template <class M>
M read_empty(const Elem& root) {
  M m;
  read_common(root, m, [](const Elem&) {});
  return m;
}

template <class T, class = void>
struct HasMessageBindings : std::false_type {};
template <class T>
struct HasMessageBindings<T, std::void_t<decltype(std::declval<T&>().message_bindings)>> : std::true_type {};

// Reads a child a contact-like element has (Protocol_Binding, Address, Message_Binding: one into
// `message_binding`, or 1..n into `message_bindings`) into `c`; false for any other child.
template <class Contact>
bool read_contact_field(const Elem& x, Contact& c) {
  if (x.local() == "Protocol_Binding") {
    c.protocol_binding = x.trimmed_text();
  } else if (x.local() == "Address") {
    c.address = x.text();
  } else if (x.local() == "Message_Binding") {
    if constexpr (HasMessageBindings<Contact>::value)
      c.message_bindings.push_back(x.trimmed_text());
    else
      c.message_binding = x.trimmed_text();
  } else {
    return false;
  }
  return true;
}

// Protocol_Binding, Address, Message_Binding 1..n (Polling_Service, Poll_Instance, ...).
ServiceContact read_contact(const Elem& e);
// Protocol_Binding, Message_Binding 1..n.
PushMethod read_push_method(const Elem& e);

// Reads one of a Service_Instance's children both versions have (the contact fields, Message)
// into `si`; false for any other child.
template <class ServiceInstance>
bool read_service_field(const Elem& c, ServiceInstance& si) {
  if (read_contact_field(c, si)) return true;
  if (c.local() != "Message") return false;
  si.message = c.text();
  return true;
}

// A response whose body is a list (Service_Instance, Collection, Feed): each child named
// `child` read by `read` into m.*list.
template <class M, class Item>
M read_list(const Elem& root, std::string_view child, std::vector<Item> M::*list, Item (*read)(const Elem&)) {
  M m;
  read_common(root, m, [&](const Elem& x) {
    if (x.local() == child) (m.*list).push_back(read(x));
  });
  return m;
}

// The model of a validated document, its version's rules checked: `read` maps the root element,
// `check` throws MappingError for what the schema cannot express. Fails with BadMessage.
Result<Message> map_checked(const XmlDocument& doc, Message (*read)(const Elem& root),
                            void (*check)(const Message&));

// --- writing ------------------------------------------------------------------------------

// <element attr="value">body</element>: Extended_Header, Detail, Query, Supported_Query.
void write_named_mixed(XmlWriter& w, std::string_view element, std::string_view attr, std::string_view value,
                       const Mixed& body);

// The root start tag with its namespace declaration (`xmlns_attr`="`ns`"), @message_id, a
// response's @in_response_to and the attributes `attrs` writes; then Extended_Headers.
template <class M>
void write_head(XmlWriter& w, std::string_view xmlns_attr, std::string_view ns, std::string_view name, const M& m,
                const std::function<void(XmlWriter&)>& attrs) {
  w.open(name).attr(xmlns_attr, ns).attr("message_id", m.message_id);
  if constexpr (std::is_base_of_v<ResponseBase, M>) w.attr("in_response_to", m.in_response_to);
  attrs(w);
  if (m.extended_headers.empty()) return;
  w.open("Extended_Headers");
  for (const auto& h : m.extended_headers) write_named_mixed(w, "Extended_Header", "name", h.name, h.value);
  w.close("Extended_Headers");
}

// The enveloped ds:Signature, if any, and the root end tag.
template <class M>
void write_tail(XmlWriter& w, std::string_view name, const M& m) {
  if (m.signature) w.raw(*m.signature);
  w.close(name);
}

inline void no_attrs(XmlWriter&) {}

// A contact's children (without its start and end tags).
void write_contact_fields(XmlWriter& w, const ServiceContact& c);
void write_push_method(XmlWriter& w, const PushMethod& pm);

// The version of message type M, an alternative of Message: the TAXII 1.1 types come first, up to
// v11::PollFulfillment (as version_of() reads a Message's index).
template <class M, class... Ts>
constexpr Version version_in(const std::variant<Ts...>*) {
  constexpr std::size_t kLastV11 = 10;
  static_assert(std::is_same_v<std::variant_alternative_t<kLastV11, Message>, v11::PollFulfillment>);
  std::size_t i = 0;
  const bool found = ((std::is_same_v<M, Ts> ? true : (++i, false)) || ...);
  return found && i <= kLastV11 ? Version::V11 : Version::V10;
}
template <class M>
constexpr Version kVersionOf = version_in<M>(static_cast<const Message*>(nullptr));

// The messages that are nothing but the envelope: Discovery_Request (XML 1.1 / 1.0 §3.2),
// Collection_Information_Request (1.1 §3.4), Feed_Information_Request (1.0 §3.4).
template <class M>
constexpr bool kEnvelopeOnly = std::is_same_v<M, v11::DiscoveryRequest> || std::is_same_v<M, v10::DiscoveryRequest> ||
                               std::is_same_v<M, v11::CollectionInformationRequest> ||
                               std::is_same_v<M, v10::FeedInformationRequest>;

// How a version writes its root element: the element prefix, and the namespace declaration
// (`xmlns_attr`="`ns`").
struct Dialect {
  std::string_view prefix, xmlns_attr, ns;
};

// The document of a message of version V: the envelope-only messages here, any other by
// `body(w, name, m)`, given the message's own type (std::visit over Message; nothing is written
// for the other version's). Content of kMinInsert bytes or more goes to `inserts` when there are
// inserts (SegmentedBody).
template <Version V, class Body>
std::string write_document(const Message& msg, std::vector<SegmentedBody::Insert>* inserts, const Dialect& d,
                           Body body) {
  XmlWriter w(d.prefix, size_hint(msg, inserts != nullptr), inserts);
  const std::string_view name = message_type_name(msg);
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (kVersionOf<M> == V && kEnvelopeOnly<M>) {
          write_head(w, d.xmlns_attr, d.ns, name, m, no_attrs);
          write_tail(w, name, m);
        } else if constexpr (kVersionOf<M> == V) {
          body(w, name, m);
        }
      },
      msg);
  return w.take();
}

// write(m, inserts) after check(m), for a message of version v. Fails with BadMessage.
Result<std::string> write_checked(const Message& m, Version v, void (*check)(const Message&),
                                  std::string (*write)(const Message&, std::vector<SegmentedBody::Insert>*),
                                  std::vector<SegmentedBody::Insert>* inserts);

}  // namespace taxii::xml
