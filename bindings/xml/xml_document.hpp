// XmlDocument: a small read-only element tree built from Xerces SAX2 events after
// validation, and the hardened parser that builds it. The tree keeps what the message
// mapping needs (namespaces, names, attributes, text, comments, PIs) and can serialize
// any subtree back to self-contained markup (used for mixed/any content).
//
// Parser: Xerces-C++ SAX2 with schema validation against a locked grammar pool built
// once from the embedded xsd/ files. Refuses DOCTYPE (so no entity can be declared),
// never resolves an external resource, and bounds size, depth and element count.
// A parser is not thread-safe; parse_document() keeps one per thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "bindings/xml/payload_scan.hpp"
#include "core/result.hpp"

namespace taxii::xml {

// Names (namespace URIs, local names, QNames) are views of the document's NamePool.
struct XmlAttr {
  std::string_view ns;     // namespace URI ("" for unqualified attributes)
  std::string_view local;
  std::string_view qname;  // as written
  std::string value;
};

struct XmlNode {
  enum class Kind : uint8_t { Element, Text, Comment, PI };
  Kind kind = Kind::Element;
  int32_t parent = -1;
  std::string_view ns, local, qname;                          // Element (NamePool views)
  std::vector<XmlAttr> attrs;                                  // Element, without xmlns
  std::vector<std::pair<std::string, std::string>> ns_decls;  // Element: (prefix, uri)
  std::vector<int32_t> children;                               // Element
  std::string text;  // Text: character data; Comment: data; PI: target
  std::string data;  // PI: data
  // Element: byte offsets in the source of its content, between the start tag's '>' and
  // the end tag's '<' (equal for an empty-element tag).
  uint64_t inner_begin = 0, inner_end = 0;
  // Element: index in XmlDocument::fragments when its content was skipped (payload_scan.hpp):
  // the element then has no children in the tree, and inner_xml() splices from the fragment.
  int32_t fragment = -1;
};

// The names of a document's elements and attributes, each stored once: a Poll_Response of
// 1000 blocks names the same dozen 5000 times, and a std::string per name and node cost the
// client a third of its tree building in malloc. Shared by copies of the document.
class NamePool {
 public:
  std::string_view intern(std::string_view s) {
    if (auto it = index_.find(s); it != index_.end()) return *it;
    const std::string_view v = store_.emplace_back(s);
    index_.insert(v);
    return v;
  }

 private:
  std::deque<std::string> store_;  // stable addresses
  std::unordered_set<std::string_view> index_;
};

class XmlDocument {
 public:
  std::shared_ptr<NamePool> name_pool = std::make_shared<NamePool>();
  std::vector<XmlNode> nodes;
  int32_t root = -1;
  // The parsed bytes, when they are UTF-8 and still alive: any-content is then captured as
  // the sender's own bytes (plus inherited namespace declarations), not re-serialized.
  // Only valid while the caller's buffer lives (parse_document's callers map the tree
  // before returning).
  std::string_view source;
  // Payloads the fast path checked and skipped instead of building a tree (payload_scan.hpp).
  std::vector<SkippedPayload> fragments;

  const XmlNode& node(int32_t i) const { return nodes[static_cast<size_t>(i)]; }
  // Concatenated character data of the element's direct text children.
  std::string text_of(int32_t elem) const;
  // Value of an attribute without namespace; nullptr if absent.
  const std::string* attr(int32_t elem, std::string_view local) const;
  // Element children, in order.
  std::vector<int32_t> element_children(int32_t elem) const;
  // Serialized markup of the element's children, with every namespace declaration the
  // fragment needs (from ancestors) added to its top-level elements.
  std::string inner_xml(int32_t elem) const;
  // Serialized markup of the element itself, self-contained likewise.
  std::string outer_xml(int32_t elem) const;

 private:
  void write_element(std::string& out, int32_t elem, bool top) const;
  // Offset of the '<' that opens the element's start tag.
  uint64_t start_tag_begin(int32_t elem) const;
  void write_node(std::string& out, int32_t n) const;
};

// Parses and schema-validates `body`. Fails with BadMessage ("line L, column C: reason").
// The root element must be declared by one of the embedded schemas.
Result<XmlDocument> parse_document(std::string_view body, const ParseLimits& limits);
// The same without the payload fast path: every byte through Xerces, a tree for everything.
// The reference the fast path is tested against.
Result<XmlDocument> parse_document_full(std::string_view body, const ParseLimits& limits);

// Parses well-formed XML without schema validation, with the same hardening (no DOCTYPE,
// no external access, size/depth/element limits). For payloads such as STIX content that
// a query format evaluates. Fails with BadMessage.
Result<XmlDocument> parse_untyped(std::string_view body, const ParseLimits& limits);

// Validates what a processContents="lax" wildcard (AnyMixedContentType) would: every
// element under `elem` that is in a namespace of the embedded schemas (TAXII 1.1/1.0,
// Default Query, XML-DSig) and not nested inside another such element is validated as a
// document of its own. The runtime grammars skip wildcard content (Xerces cannot skip
// unknown xsi:type values under lax), so this restores lax semantics for known namespaces.
Status validate_wildcard_content(const XmlDocument& doc, int32_t elem);

// Schema-validates only (no tree); for benchmarks and `taxii validate` fast paths.
Status validate_document(std::string_view body, const ParseLimits& limits);

// Initializes Xerces and loads the embedded grammars now; otherwise the first parse does it
// (~15 ms). A client calls it on another thread while its first request is under way.
void preload_grammars();

// Whether `value`, written as an attribute as it is, is a valid xs:anyURI to the same
// Xerces datatype validator the schemas use (after the attribute's whitespace collapse).
bool valid_any_uri(std::string_view value);

}  // namespace taxii::xml
