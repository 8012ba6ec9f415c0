// Building blocks shared by the TAXII 1.1 and 1.0 message models: mixed XML content,
// extended headers, the common message envelope, and member-wise equality.
// Plain value types; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace taxii {

// Member-wise equality for every model struct that exposes tie() (C++17 has no defaulted ==).
template <class T, class = decltype(std::declval<const T&>().tie())>
bool operator==(const T& a, const T& b) {
  return a.tie() == b.tie();
}
template <class T, class = decltype(std::declval<const T&>().tie())>
bool operator!=(const T& a, const T& b) {
  return !(a == b);
}

// XML mixed content (text and/or elements) kept as serialized markup: character data is
// escaped, elements carry the namespace declarations they need, so the fragment can be
// re-embedded anywhere. Used for Content, Extended_Header and Detail values, Query and
// Supported_Query bodies (XML 1.1 §3 "AnyMixedContentType").
struct Mixed {
  std::string xml;

  // Content made of character data only.
  static Mixed text(std::string_view s);
  // True when the fragment holds no element, comment or PI (only text / entity refs / CDATA).
  bool is_text() const;
  // The character data of a text-only fragment, unescaped. REQUIRES: is_text().
  std::string text_value() const;
  auto tie() const { return std::tie(xml); }
};

// Escapes &, <, > (and " when in_attribute) for XML output.
std::string xml_escape(std::string_view s, bool in_attribute = false);
void xml_escape_append(std::string& out, std::string_view s, bool in_attribute = false);

// Services 1.1 §4.3, XML 1.1 §2.2.2: name (URI) and any text/XML value.
struct ExtendedHeader {
  std::string name;
  Mixed value;
  auto tie() const { return std::tie(name, value); }
};
using ExtendedHeaders = std::vector<ExtendedHeader>;

// Common fields of every message of both versions: @message_id, Extended_Headers (first
// child) and the enveloped ds:Signature (last child), kept as serialized markup.
struct MessageBase {
  std::string message_id;
  ExtendedHeaders extended_headers;
  std::optional<std::string> signature;
  auto base_tie() const { return std::tie(message_id, extended_headers, signature); }
};

// Responses add @in_response_to (Services 1.1 §4.1.1).
struct ResponseBase : MessageBase {
  std::string in_response_to;
  auto base_tie() const { return std::tuple_cat(MessageBase::base_tie(), std::tie(in_response_to)); }
};

// Protocol_Binding + Address + Message_Binding 1..n (XML 1.1 ServiceContactInfoType).
struct ServiceContact {
  std::string protocol_binding;
  std::string address;
  std::vector<std::string> message_bindings;
  auto tie() const { return std::tie(protocol_binding, address, message_bindings); }
};

enum class ServiceType { Discovery, CollectionManagement, Inbox, Poll };
std::string_view to_string(ServiceType t);  // 1.1 wire names; 1.0 uses FEED_MANAGEMENT

// What a Service_Instance of either version says first (XML 1.1 §3.4 / XML 1.0 §3.4 Discovery
// Response): the service, its version and availability, and how to reach it.
struct ServiceInstanceBase {
  ServiceType service_type = ServiceType::Discovery;  // 1.0: FEED_MANAGEMENT for CollectionManagement
  std::string service_version;
  std::optional<bool> available;
  std::string protocol_binding;
  std::string address;
  std::vector<std::string> message_bindings;
  auto base_tie() const {
    return std::tie(service_type, service_version, available, protocol_binding, address, message_bindings);
  }
};

// Push_Method: Protocol_Binding + Message_Binding 1..n.
struct PushMethod {
  std::string protocol_binding;
  std::vector<std::string> message_bindings;
  auto tie() const { return std::tie(protocol_binding, message_bindings); }
};


// The member-wise equality above, where ADL looks for it from the models' own types.
namespace v11 {
using taxii::operator==;
using taxii::operator!=;
}  // namespace v11
namespace v10 {
using taxii::operator==;
using taxii::operator!=;
}  // namespace v10

}  // namespace taxii
