// XmlDocument (xml_document.hpp): the tree's accessors, and the markup of a subtree, self-contained:
// the sender's own bytes where they are at hand, with the namespace declarations the fragment
// inherits spliced in (Namespaces in XML 1.0 §6.1: a prefix's scope is the element that declares
// it and its content).
#include "bindings/xml/xml_document.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/urn.hpp"

namespace taxii::xml {

std::string XmlDocument::text_of(int32_t elem) const {
  std::string out;
  for (int32_t c : node(elem).children)
    if (node(c).kind == XmlNode::Kind::Text) out += node(c).text;
  return out;
}

const std::string* XmlDocument::attr(int32_t elem, std::string_view local) const {
  for (const auto& a : node(elem).attrs)
    if (a.ns.empty() && a.local == local) return &a.value;
  return nullptr;
}

std::vector<int32_t> XmlDocument::element_children(int32_t elem) const {
  std::vector<int32_t> out;
  for (int32_t c : node(elem).children)
    if (node(c).kind == XmlNode::Kind::Element) out.push_back(c);
  return out;
}

namespace {

void write_text(std::string& out, std::string_view s) { xml_escape_append(out, s, false); }

// "p" of a QName-like value "p:local" (leading whitespace allowed); empty if none.
std::string qname_prefix(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r')) ++i;
  const size_t start = i;
  while (i < v.size() && (std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_' || v[i] == '-' || v[i] == '.' ||
                          static_cast<unsigned char>(v[i]) >= 0x80))
    ++i;
  if (i == start || i >= v.size() || v[i] != ':') return {};
  return std::string(v.substr(start, i - start));
}
std::string name_prefix(std::string_view qname) {
  const size_t c = qname.find(':');
  return c == std::string_view::npos ? std::string() : std::string(qname.substr(0, c));
}

// The namespace declarations in scope at an element: each prefix once, as its nearest
// declaration (the element's own first) makes it; `order` is the order inherited declarations
// are written in (nearest element first, document order within one). A hash index once there
// are more than a few, so that a lookup never walks them all.
class InScope {
 public:
  struct Decl {
    std::string_view prefix, uri;
    uint32_t order;
  };
  InScope(const XmlDocument& doc, int32_t elem) {
    for (int32_t p = elem; p >= 0; p = doc.node(p).parent)
      for (const auto& [prefix, uri] : doc.node(p).ns_decls)
        if (find(prefix) == nullptr) add(prefix, uri);
  }
  const Decl* find(std::string_view prefix) const {
    if (!index_.empty()) {
      const auto it = index_.find(prefix);
      return it == index_.end() ? nullptr : &decls_[it->second];
    }
    for (const Decl& d : decls_)
      if (d.prefix == prefix) return &d;
    return nullptr;
  }

 private:
  static constexpr size_t kSmall = 16;
  void add(std::string_view prefix, std::string_view uri) {
    const auto k = static_cast<uint32_t>(decls_.size());
    decls_.push_back({prefix, uri, k});
    if (!index_.empty()) {
      index_.emplace(prefix, k);
    } else if (decls_.size() > kSmall) {
      for (uint32_t x = 0; x < decls_.size(); ++x) index_.emplace(decls_[x].prefix, x);
    }
  }
  std::vector<Decl> decls_;
  std::unordered_map<std::string_view, uint32_t> index_;
};

// The declarations a top-level fragment element needs from `scope` (in scope at its parent): it
// declares `own` itself and its subtree uses `names` / `values` prefixes it does not declare.
// Only what the fragment uses, so that capturing is idempotent: capture(embed(capture(x))) ==
// capture(x) whatever the embedding document declares. Linear in own + names + values, never in
// the declarations in scope (100,000 children of a Content under 256 declarations).
std::string needed_declarations(const InScope& scope, const std::vector<std::string>& own,
                                const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::vector<std::string_view> own_sorted;
  if (own.size() > 8) {
    own_sorted.assign(own.begin(), own.end());
    std::sort(own_sorted.begin(), own_sorted.end());
  }
  auto is_own = [&](std::string_view p) {
    if (own.size() > 8) return std::binary_search(own_sorted.begin(), own_sorted.end(), p);
    for (const auto& o : own)
      if (o == p) return true;
    return false;
  };
  std::vector<const InScope::Decl*> picked;
  auto consider = [&](std::string_view p, bool in_names) {
    if (p == "xml") return;
    const InScope::Decl* d = scope.find(p);
    if (d == nullptr || is_own(p)) return;
    if (p.empty()) {
      if (d->uri.empty()) return;  // the default namespace matters to unprefixed names
    } else if (!in_names) {
      // A prefix used only inside a value (xsi:type="p:T") is needed too, except a TAXII message
      // namespace: a fragment's values never name TAXII types, and skipping it keeps the
      // binding's own root prefix from creeping into captured content.
      if (d->uri == urn::kNsXml11 || d->uri == urn::kNsXml10) return;
    }
    picked.push_back(d);
  };
  consider("", true);
  for (const auto& n : names) consider(n, true);
  for (const auto& v : values) consider(v, false);
  std::sort(picked.begin(), picked.end(), [](const auto* a, const auto* b) { return a->order < b->order; });
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  std::string out;
  for (const InScope::Decl* d : picked) {
    out += d->prefix.empty() ? " xmlns=\"" : " xmlns:" + std::string(d->prefix) + "=\"";
    xml_escape_append(out, d->uri, true);
    out += '"';
  }
  return out;
}

// Prefixes used by element/attribute names, and at the start of QName-like values (attribute
// values and texts), in the subtree of an element, that the subtree does not declare at or above
// the use and `scope` (in scope at its parent) does: only those can be needed; each once. One
// walk, the fragment's own declarations kept as counts while in scope.
class PrefixCollector {
 public:
  PrefixCollector(const XmlDocument& doc, const InScope& scope) : doc_(doc), scope_(scope) {}
  void walk(int32_t elem) {
    const XmlNode& e = doc_.node(elem);
    for (const auto& d : e.ns_decls) ++declared_[d.first];
    add(names_, name_prefix(e.qname));
    for (const auto& a : e.attrs) {
      add(names_, name_prefix(a.qname));
      add(values_, qname_prefix(a.value));
    }
    for (int32_t c : e.children) {
      const XmlNode& n = doc_.node(c);
      if (n.kind == XmlNode::Kind::Element) walk(c);
      else if (n.kind == XmlNode::Kind::Text) add(values_, qname_prefix(n.text));
    }
    for (const auto& d : e.ns_decls)
      if (const auto it = declared_.find(d.first); it != declared_.end() && --it->second == 0) declared_.erase(it);
  }
  std::vector<std::string> names() const { return {names_.begin(), names_.end()}; }
  std::vector<std::string> values() const { return {values_.begin(), values_.end()}; }

 private:
  void add(std::unordered_set<std::string>& to, std::string p) {
    // "" (no prefix) never decides anything; the default namespace is always considered.
    if (p.empty() || declared_.count(p) != 0 || scope_.find(p) == nullptr) return;
    to.insert(std::move(p));
  }
  const XmlDocument& doc_;
  const InScope& scope_;
  std::unordered_map<std::string_view, uint32_t> declared_;
  std::unordered_set<std::string> names_, values_;
};

// The declarations a top-level fragment element `elem` needs from `scope` (in scope at its parent).
std::string inherited_declarations(const XmlDocument& doc, const InScope& scope, int32_t elem) {
  PrefixCollector c(doc, scope);
  c.walk(elem);
  std::vector<std::string> own;
  for (const auto& d : doc.node(elem).ns_decls) own.push_back(d.first);
  return needed_declarations(scope, own, c.names(), c.values());
}
std::string inherited_declarations(const XmlDocument& doc, int32_t elem) {
  return inherited_declarations(doc, InScope(doc, doc.node(elem).parent), elem);
}
}  // namespace

void XmlDocument::write_node(std::string& out, int32_t n) const {
  const XmlNode& x = node(n);
  switch (x.kind) {
    case XmlNode::Kind::Text: write_text(out, x.text); break;
    case XmlNode::Kind::Comment: out += "<!--"; out += x.text; out += "-->"; break;
    case XmlNode::Kind::PI:
      out += "<?"; out += x.text;
      if (!x.data.empty()) { out += ' '; out += x.data; }
      out += "?>";
      break;
    case XmlNode::Kind::Element: write_element(out, n, false); break;
  }
}

// Written straight into `out` (each subtree once, not once per ancestor).
void XmlDocument::write_element(std::string& out, int32_t elem, bool top) const {
  const XmlNode& e = node(elem);
  out += '<';
  out += e.qname;
  if (top) out += inherited_declarations(*this, elem);
  for (const auto& [prefix, uri] : e.ns_decls) {
    out += prefix.empty() ? " xmlns=\"" : " xmlns:" + prefix + "=\"";
    xml_escape_append(out, uri, true);
    out += '"';
  }
  for (const auto& a : e.attrs) {
    out += ' ';
    out += a.qname;
    out += "=\"";
    xml_escape_append(out, a.value, true);
    out += '"';
  }
  out += '>';
  const size_t content = out.size();
  for (int32_t c : e.children) write_node(out, c);
  if (out.size() == content) {
    out.back() = '/';
    out += '>';
    return;
  }
  out += "</";
  out += e.qname;
  out += '>';
}

uint64_t XmlDocument::start_tag_begin(int32_t elem) const {
  // No '<' can occur inside a start tag (attribute values may not contain it).
  const size_t lt = source.rfind('<', node(elem).inner_begin - 1);
  return lt == std::string_view::npos ? 0 : lt;
}

std::string XmlDocument::inner_xml(int32_t elem) const {
  const XmlNode& e = node(elem);
  const InScope scope(*this, elem);  // what the top-level elements inherit
  if (e.fragment >= 0) {
    // A skipped payload: the same splice, from what the scanner recorded.
    const SkippedPayload& f = fragments[static_cast<size_t>(e.fragment)];
    std::string out;
    out.reserve(f.end - f.begin + 64);
    uint64_t pos = f.begin;
    for (const FragmentTop& t : f.tops) {
      const std::string decls = needed_declarations(scope, t.own_decls, t.name_prefixes, t.value_prefixes);
      if (decls.empty()) continue;
      const uint64_t name_end = t.lt + 1 + t.qname_len;
      out.append(source.substr(pos, name_end - pos));
      out += decls;
      pos = name_end;
    }
    out.append(source.substr(pos, f.end - pos));
    return out;
  }
  if (!source.empty() && e.inner_end >= e.inner_begin && e.inner_end <= source.size()) {
    // The sender's own bytes, with the declarations top-level elements inherit spliced in
    // right after their names.
    std::string out;
    out.reserve(e.inner_end - e.inner_begin + 64);
    uint64_t pos = e.inner_begin;
    for (int32_t c : e.children) {
      if (node(c).kind != XmlNode::Kind::Element) continue;
      const std::string decls = inherited_declarations(*this, scope, c);
      if (decls.empty()) continue;
      const uint64_t name_end = start_tag_begin(c) + 1 + node(c).qname.size();
      out.append(source.substr(pos, name_end - pos));
      out += decls;
      pos = name_end;
    }
    out.append(source.substr(pos, e.inner_end - pos));
    return out;
  }
  std::string out;
  for (int32_t c : node(elem).children) {
    if (node(c).kind == XmlNode::Kind::Element) write_element(out, c, true);
    else write_node(out, c);
  }
  return out;
}

std::string XmlDocument::outer_xml(int32_t elem) const {
  const XmlNode& e = node(elem);
  if (!source.empty() && e.inner_end >= e.inner_begin && e.inner_end <= source.size()) {
    const uint64_t begin = start_tag_begin(elem);
    const uint64_t name_end = begin + 1 + e.qname.size();
    const bool self_closing = e.inner_begin >= 2 && source.substr(e.inner_begin - 2, 2) == "/>";
    const size_t close = self_closing ? e.inner_begin : source.find('>', e.inner_end) + 1;
    std::string out(source.substr(begin, name_end - begin));
    out += inherited_declarations(*this, elem);
    out.append(source.substr(name_end, close - name_end));
    return out;
  }
  std::string out;
  write_element(out, elem, true);
  return out;
}

}  // namespace taxii::xml
