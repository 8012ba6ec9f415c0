// MessageBinding: turns bytes into a Message and back, for one message-binding URN
// (XML 1.1 §1.1.1 / XML 1.0 §1.1.1). Front header of bindings/xml.
//
// parse() is hardened against hostile input: no DOCTYPE, no entities beyond the five
// predefined ones, no DTD or schema ever loaded from a file or the network; bounded
// document size, element depth and element count, attributes per element and namespace
// declarations in scope; every parsing step is linear in the input; only UTF-8 (or US-ASCII)
// may be declared. Every failure is a BadMessage Error naming what is wrong and where;
// nothing throws.
//
// Instances are immutable after construction and safe to share between threads (each
// thread parses with its own Xerces reader over one locked, pre-compiled grammar pool).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::xml {

struct ParseLimits {
  std::size_t max_bytes = 32u << 20;      // whole document
  std::size_t max_depth = 256;            // element nesting, including content
  std::size_t max_elements = 1'000'000;   // elements in the document
  // Checked by a linear pass before Xerces reads the bytes (docs/security.md "Linear-time
  // parsing"): attributes on one element, namespace declarations included, and namespace
  // declarations in scope at once (Xerces maps each prefix by a walk over all of them).
  std::size_t max_attributes = 256;
  std::size_t max_namespace_declarations = 256;
};

class MessageBinding {
 public:
  virtual ~MessageBinding() = default;
  virtual std::string_view id() const = 0;         // urn:taxii.mitre.org:message:xml:1.1
  virtual std::string_view xml_namespace() const = 0;
  virtual Version version() const = 0;
  // Fails only with BadMessage; the message names the element and the reason.
  virtual Result<Message> parse(std::string_view body) const = 0;
  // Fails (BadMessage) if the message is of the other version or breaks a rule the
  // schema or the specification states (e.g. a required field left empty).
  virtual Result<std::string> serialize(const Message& m) const = 0;
};

// The bindings, process-wide singletons (the grammar pool is compiled on first use).
const MessageBinding& xml11();
const MessageBinding& xml10();
// By message binding id; nullptr if not an XML binding we implement.
const MessageBinding* find_binding(std::string_view binding_id);

// Parses with whichever binding the root element's namespace names.
Result<Message> parse_any(std::string_view body, const ParseLimits& limits = {});
Result<Message> parse_with(const MessageBinding& b, std::string_view body, const ParseLimits& limits);
// Serializes with the binding of the message's own version.
Result<std::string> serialize_any(const Message& m);

// A serialized message whose content blocks' Content stays where it is: the document is
// `envelope` with each insert's bytes placed at its offset (offsets into the envelope, in
// order). Inserts view the message: valid while it lives, unchanged. For a server writing a
// multi-megabyte Poll_Response part with writev instead of copying its content first.
struct SegmentedBody {
  struct Insert {
    std::size_t at;
    std::string_view bytes;
  };
  std::string envelope;
  std::vector<Insert> inserts;
  std::size_t size() const;
  // The document in order: slices of the envelope and the inserts between them.
  std::vector<std::string_view> pieces() const;
  std::string flatten() const;  // the same bytes serialize_any() gives
};
// Like serialize_any(); a Content of fewer than kMinInsert bytes stays in the envelope.
inline constexpr std::size_t kMinInsert = 512;
Result<SegmentedBody> serialize_segmented(const Message& m);

// Whether `id` may be written as a message_id / in_response_to of a message of version `v`
// as it is: 1.1 xs:anyURI (as Xerces validates it), 1.0 digits only (XML 1.0 binding).
// For ids taken from requests that did not parse (Services 1.1 §4.1.1: an answer names the
// request's id when it can); "0" otherwise.
bool valid_message_id(Version v, std::string_view id);

}  // namespace taxii::xml
