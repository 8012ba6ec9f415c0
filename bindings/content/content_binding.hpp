// Content bindings (Services 1.1 §4.1.7, §5.3; CBR v3 §2): what a binding id names, how to
// recognise content of that binding, and the registry that a server fills once at start-up.
// Front header of bindings/content.
//
// A ContentBinding is plain data: its id (and aliases), a human name, the subtypes we know
// of, and a RootSignature that says what the content looks like at its root (an element of a
// namespace, optionally with version attributes; or plain text for S/MIME). Recognition is
// driven by that data, so a new binding is one more entry in register_builtin_content_bindings()
// (or one add() call by a deployment), never a new case in a switch.
//
// Ownership and threads: the registry owns its bindings; pointers returned by find() stay
// valid for the registry's lifetime. Fill it before sharing it; after that every const member
// is safe to call from any number of threads (nothing is mutated). No globals: a test builds
// its own registry (docs/design.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings/xml/xml_document.hpp"
#include "core/urn.hpp"
#include "core/message_v11.hpp"
#include "core/result.hpp"

namespace taxii::content {

// One attribute the root element must (or may) carry, with its accepted values.
struct AttrRule {
  std::string name;                 // unqualified attribute name, e.g. "version"
  std::vector<std::string> values;  // accepted values (exact strings)
  bool optional = false;            // absent is acceptable; when present it must match
};

// What content of a binding looks like, as far as can be told without its schema.
struct RootSignature {
  enum class Kind { XmlElement, Text };
  Kind kind = Kind::XmlElement;
  std::string ns;                   // XmlElement: namespace of the root element
  std::vector<std::string> locals;  // XmlElement: accepted root local names (empty: any)
  std::vector<AttrRule> attrs;      // XmlElement: rules on the root's attributes
};

// The root of a piece of content: what recognition looks at.
struct RootInfo {
  bool is_xml = false;  // false: text-only content (no element)
  std::string ns;
  std::string local;
  std::vector<std::pair<std::string, std::string>> attrs;  // unqualified attributes only

  static RootInfo of(const xml::XmlDocument& doc);
  // Parses `markup` (hardened, non-validating) to find its root. Text-only markup gives
  // is_xml == false; markup that is neither text nor well-formed XML gives an Error
  // (BadMessage) saying why.
  static Result<RootInfo> of_markup(std::string_view markup);
};

class ContentBinding {
 public:
  ContentBinding(std::string id, std::string name, RootSignature signature,
                 std::vector<std::string> aliases = {}, std::vector<std::string> subtypes = {},
                 bool third_party = false)
      : id_(std::move(id)), name_(std::move(name)), signature_(std::move(signature)),
        aliases_(std::move(aliases)), subtypes_(std::move(subtypes)), third_party_(third_party) {}

  const std::string& id() const { return id_; }          // urn:stix.mitre.org:xml:1.1.1
  const std::string& name() const { return name_; }      // "STIX 1.1.1"
  const RootSignature& signature() const { return signature_; }
  // Other ids that name the same binding (libtaxii's application/x-pkcs7-mime for S/MIME).
  const std::vector<std::string>& aliases() const { return aliases_; }
  // Subtype ids known to us (CBR v3 defines none; all are third-party).
  const std::vector<std::string>& subtypes() const { return subtypes_; }
  // True when the id itself is not published by CBR v3 (e.g. the CybOX ids).
  bool third_party() const { return third_party_; }

  bool recognises(const RootInfo& root) const { return !mismatch(root).has_value(); }
  bool recognises(const xml::XmlDocument& doc) const { return recognises(RootInfo::of(doc)); }
  // Why `root` is not content of this binding ("root element {ns}local has version=\"1.2\""),
  // or nullopt if it is.
  std::optional<std::string> mismatch(const RootInfo& root) const;

 private:
  std::string id_;
  std::string name_;
  RootSignature signature_;
  std::vector<std::string> aliases_;
  std::vector<std::string> subtypes_;
  bool third_party_ = false;
};

class ContentBindingRegistry {
 public:
  ContentBindingRegistry() = default;
  ContentBindingRegistry(const ContentBindingRegistry&) = delete;
  ContentBindingRegistry& operator=(const ContentBindingRegistry&) = delete;

  // Fails (Failure) if the id or one of its aliases is already registered; nothing is added then.
  Status add(ContentBinding binding);
  // By id or alias; nullptr if unknown. Ids are compared as exact strings (Services 1.1 §4.1.7).
  const ContentBinding* find(std::string_view id) const;
  // Every id the registry answers to (ids and aliases), in registration order: the values
  // of SUPPORTED_CONTENT details.
  std::vector<std::string> ids() const;
  // The first registered binding whose signature `root` satisfies; nullptr if none.
  const ContentBinding* identify(const RootInfo& root) const;
  std::size_t size() const { return bindings_.size(); }

 private:
  std::vector<std::unique_ptr<ContentBinding>> bindings_;  // stable addresses
  std::map<std::string, const ContentBinding*, std::less<>> by_id_;
};

// Adds STIX 1.0, 1.0.1, 1.1, 1.1.1, 1.2; CybOX 2.0, 2.0.1, 2.1 (third-party ids); CAP 1.1,
// 1.2; XML Encryption; S/MIME (alias application/x-pkcs7-mime). Fails like add() when one of
// them is already present.
Status register_builtin_content_bindings(ContentBindingRegistry& registry);

// Splits an explicit nesting expression "A|B" (Services 1.1 §5.3.2), outermost first. Fails
// (BadMessage) on an empty component ("", "A||B", "A|").
Result<std::vector<std::string>> parse_nesting(std::string_view binding_id);

// Whether a block with `binding_id` (possibly a nesting expression) and `subtype` passes a
// Content_Binding filter (Poll_Parameters, Subscription_Parameters; Services 1.1 §4.4.8):
//  - an empty filter passes everything;
//  - a plain id passes if an entry names it and either the entry lists no subtypes (= any
//    subtype), or the block carries no subtype (it claims no refinement), or the block's
//    subtype is listed;
//  - a nesting expression passes if every component is named by some entry (Services 1.1
//    §5.3.4: listing bindings accepts any nesting of them; subtypes play no part);
//  - a malformed nesting expression passes nothing.
bool matches(const std::vector<v11::ContentBinding>& filter, std::string_view binding_id,
             const std::optional<std::string>& subtype);

// The optional per-collection strict check of an Inbox block: is `content` really content of
// `binding`? For a nesting expression pass the outermost binding (the only one visible).
// Fails with BadMessage, e.g. "content is not STIX 1.1.1: root element
// {http://stix.mitre.org/stix-1}STIX_Package has version=\"1.2\", expected \"1.1.1\"".
Status check_declared(const ContentBinding& binding, const Mixed& content);

}  // namespace taxii::content
