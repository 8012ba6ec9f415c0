// Targeting expressions of the STIX vocabularies (Query 1.0 §4.1, §4.2.1): slash notation over
// element and attribute names, with `*` and `**`. Internal to bindings/query/default.
//
// Semantics (docs/query.md):
//  - A step is an element local name (prefixes and namespaces ignored; case-sensitive), `*`
//    (exactly one node) or `**` (any sequence of nodes, possibly empty, like XPath's `//`);
//    `@name` may be the last step and selects that attribute (by local name).
//  - The first step is matched against the document's root element (STIX_Package).
//  - A wildcard in last position also selects attributes (attributes are nodes, §4.2.1): `A/*`
//    is A's child elements and A's attributes; a trailing `**` stands for `**/*`, i.e. every
//    element and attribute below the prefix (A/** does not select A itself).
//
// Selection walks the tree once, carrying the set of matched step prefixes as a bit mask, so
// its cost is O(elements × steps) whatever the wildcards; subtrees no prefix can reach are
// skipped. A Target is immutable and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/xml_document.hpp"
#include "core/result.hpp"

namespace taxii::query::tdq {

class Target {
 public:
  // Fails with UnsupportedTargetingExpression (no details; the caller adds the scopes) when
  // `expr` is not a slash-notation expression we evaluate: empty steps, a predicate or other
  // XPath syntax, `@` anywhere but the last step, more than `max_steps` steps.
  static Result<Target> parse(std::string_view expr, std::size_t max_steps);

  // Visits the value of each selected node (element: its own character data; attribute: its
  // value; both whitespace-trimmed) until `visit` returns true. Returns whether it did, i.e.
  // whether some node satisfied `visit`. Visit may be called with the same node only once.
  template <class F>
  bool any(const xml::XmlDocument& doc, F&& visit) const {
    Visitor<F> v{visit};
    return select(doc, v);
  }

  const std::string& text() const { return text_; }

 private:
  enum class Kind : uint8_t { Name, Star, DoubleStar };
  struct Step {
    Kind kind;
    std::string name;
  };

  struct VisitorBase {
    virtual ~VisitorBase() = default;
    virtual bool operator()(std::string_view value) = 0;
  };
  template <class F>
  struct Visitor : VisitorBase {
    explicit Visitor(F& f) : f_(f) {}
    bool operator()(std::string_view value) override { return f_(value); }
    F& f_;
  };

  bool select(const xml::XmlDocument& doc, VisitorBase& visit) const;
  uint64_t closure(uint64_t mask) const;
  uint64_t advance(uint64_t mask, std::string_view local) const;

  std::string text_;
  std::vector<Step> steps_;  // element steps
  std::string attribute_;    // last step "@name", or empty
  bool wildcard_last_ = false;  // last element step is `*`: attributes too
};

}  // namespace taxii::query::tdq
