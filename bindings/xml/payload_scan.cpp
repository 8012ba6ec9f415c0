// The payload scanner of parse_document's fast path (payload_scan.hpp says why and what): the
// document's structure (tags, the envelope and its payloads, what each payload's top-level
// elements need spliced in), over the character level of scan_cursor.hpp and the namespace
// bindings of scan_namespaces.hpp.
#include "bindings/xml/payload_scan.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "bindings/xml/scan_cursor.hpp"
#include "bindings/xml/scan_namespaces.hpp"
#include "core/urn.hpp"

namespace taxii::xml {
namespace {

using namespace scan;

constexpr std::string_view kNsXsi = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kNsXsd = "http://www.w3.org/2001/XMLSchema";
constexpr std::string_view kNsXmlPrefix = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kNsXmlns = "http://www.w3.org/2000/xmlns/";

constexpr size_t kMaxTops = 1024;  // top-level elements per payload

bool known_namespace(std::string_view ns) {
  return ns == urn::kNsXml11 || ns == urn::kNsXml10 || ns == urn::kNsDefaultQuery || ns == urn::kNsXmlDsig;
}

// Adds p to v unless it is there. A linear search while v is short (the usual one to three
// prefixes); beyond, `seen` mirrors v as a hash set: a payload can start ten thousand text runs
// with as many different "pN:" (1.2 MB took 9.5 s with the linear search alone).
void add_unique(std::vector<std::string>& v, std::unordered_set<std::string>& seen, std::string_view p) {
  constexpr size_t kShort = 8;
  if (v.size() < kShort) {
    for (const auto& x : v)
      if (x == p) return;
    v.emplace_back(p);
    return;
  }
  if (seen.empty()) seen.insert(v.begin(), v.end());
  if (seen.emplace(p).second) v.emplace_back(p);
}

class Scanner : Cursor {
 public:
  Scanner(std::string_view s, const ParseLimits& limits, PayloadPlan* plan)
      : Cursor(s), limits_(limits), plan_(plan), bindings_(s) {}

  void run() {
    if (s_.compare(0, 3, "\xEF\xBB\xBF") == 0) i_ = 3;
    misc();  // prolog (Xerces checks the XML declaration, comments and PIs there)
    if (at_end() || s_[i_] != '<') throw Bail{};
    start_tag();
    while (!stack_.empty()) {
      if (in_payload_) {
        payload_text();
      } else {
        const void* lt = std::memchr(s_.data() + i_, '<', s_.size() - i_);
        if (lt == nullptr) throw Bail{};
        i_ = static_cast<size_t>(static_cast<const char*>(lt) - s_.data());
      }
      markup();
    }
    misc();
    if (!at_end()) throw Bail{};
  }

 private:
  struct Open {
    std::string_view qname, local, ns;
    size_t bind_mark;
  };
  struct Attr {
    std::string_view qname, prefix, local, value, ns;
    bool decl;
  };

  // Whitespace, comments and PIs outside the root element (left to Xerces to check).
  void misc() {
    for (;;) {
      skip_ws();
      if (starts("<?")) i_ = find("?>") + 2;
      else if (starts("<!--")) i_ = find("-->") + 3;
      else return;
    }
  }

  // Character data inside a payload, up to the next '<'.
  void payload_text() {
    PrefixProbe* probe = stack_.size() > payload_depth_ ? &text_probe_ : nullptr;
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    const size_t n = s_.size();
    for (;;) {
      if (probe == nullptr || probe->done()) {
        size_t j = i_;
        while (j < n && kPlain.t[p[j]]) ++j;
        i_ = j;
      } else {
        while (i_ < n && kPlain.t[p[i_]] && !probe->done()) probe->feed(p[i_++]);
        if (i_ < n && kPlain.t[p[i_]]) continue;
      }
      if (i_ >= n) throw Bail{};
      const unsigned char c = p[i_];
      if (c == '<') return;
      if (c == '&') {
        reference(probe);
      } else if (c == ']') {
        if (starts("]]>")) throw Bail{};
        if (probe != nullptr && !probe->done()) probe->feed(c);
        ++i_;
      } else if (c >= 0x80) {
        utf8_char(probe);
      } else {
        throw Bail{};  // a control character
      }
    }
  }

  // The end of a text run inside a payload element: a "p:" it starts with counts as used.
  void end_text_run() {
    if (!in_payload_ || stack_.size() <= payload_depth_) {
      text_probe_.reset();
      return;
    }
    std::string p;
    if (text_probe_.take(&p) && bindings_.declared_in_envelope(p) && !bindings_.declared_in_fragment(p))
      add_unique(cur_.tops.back().value_prefixes, top_values_, p);
  }

  void markup() {
    // i_ is at '<'.
    if (peek(1) == '/') {
      end_text_run();
      end_tag();
    } else if (peek(1) == '!') {
      if (starts("<!--")) {
        end_text_run();
        i_ += 4;
        const size_t e = find("--");
        if (in_payload_) chars_until(e, nullptr);
        if (e + 2 >= s_.size() || s_[e + 2] != '>') throw Bail{};
        i_ = e + 3;
      } else if (starts("<![CDATA[")) {
        i_ += 9;
        const size_t e = find("]]>");
        if (in_payload_) {
          PrefixProbe* probe = stack_.size() > payload_depth_ ? &text_probe_ : nullptr;
          chars_until(e, probe);
        }
        i_ = e + 3;
      } else {
        throw Bail{};  // DOCTYPE or other declarations: Xerces reports them
      }
    } else if (peek(1) == '?') {
      end_text_run();
      i_ += 2;
      std::string_view target = ncname();
      if (target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' && (target[2] | 0x20) == 'l')
        throw Bail{};
      if (peek() >= 0x80 || peek() == ':') throw Bail{};
      if (starts("?>")) {
        i_ += 2;
      } else {
        if (!is_ws(peek())) throw Bail{};
        const size_t e = find("?>");
        if (in_payload_) chars_until(e, nullptr);
        i_ = e + 2;
      }
    } else {
      end_text_run();
      start_tag();
    }
  }

  // An attribute value at i_ (the opening quote); in a payload, checked and probed.
  std::string_view attr_value(bool check, std::string* prefix_out, bool* has_prefix) {
    const char q = static_cast<char>(peek());
    if (q != '"' && q != '\'') throw Bail{};
    ++i_;
    const size_t b = i_;
    if (!check) {
      const size_t e = s_.find(q, i_);
      if (e == std::string_view::npos) throw Bail{};
      if (std::memchr(s_.data() + b, '<', e - b) != nullptr) throw Bail{};
      i_ = e + 1;
      return s_.substr(b, e - b);
    }
    value_probe_.reset();
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    const size_t n = s_.size();
    for (;;) {
      size_t j = i_;  // plain bytes: to the probe until it is done, then skipped
      while (j < n && kAttrPlain.t[p[j]] && !value_probe_.done()) value_probe_.feed(p[j++]);
      if (value_probe_.done())
        while (j < n && kAttrPlain.t[p[j]]) ++j;
      i_ = j;
      if (j >= n) throw Bail{};
      const unsigned char c = p[j];
      if (c == static_cast<unsigned char>(q)) break;
      if (c == '<') throw Bail{};
      if (c == '&') {
        reference(&value_probe_);
      } else if (c >= 0x80) {
        utf8_char(&value_probe_);
      } else if (c == '"' || c == '\'') {  // the other quote
        if (!value_probe_.done()) value_probe_.feed(c);
        ++i_;
      } else {
        throw Bail{};  // a control character
      }
    }
    const size_t e = i_;
    ++i_;
    *has_prefix = value_probe_.take(prefix_out);
    return s_.substr(b, e - b);
  }

  void start_tag() {
    const size_t lt = i_;
    ++i_;
    std::string_view prefix, local;
    const std::string_view qn = qname(&prefix, &local);
    const bool payload = in_payload_;
    const bool empty = attributes(payload);
    if (++elements_ > limits_.max_elements || stack_.size() + 1 > limits_.max_depth) throw Bail{};
    const size_t mark = bindings_.size();
    const std::string_view ns = bind(prefix);
    if (payload) record_payload_names(lt, qn, prefix, ns);
    if (empty) {
      bindings_.truncate(mark);
      return;
    }
    stack_.push_back({qn, local, ns, mark});
    text_probe_.reset();
    // Content (XML 1.1 §3.4.1 / 1.0 §3.4.1) of a Content_Block that is a child of the root:
    // only there, so no ancestor of a payload is ever itself wildcard content.
    if (!payload && stack_.size() == 3 && local == "Content" && stack_[1].local == "Content_Block" &&
        (ns == urn::kNsXml11 || ns == urn::kNsXml10) && stack_[1].ns == ns && stack_[0].ns == ns) {
      in_payload_ = true;
      payload_depth_ = stack_.size();
      bindings_.begin_fragment();
      cur_ = SkippedPayload{};
      cur_.begin = i_;
    }
  }

  // A start tag's attributes, up to its '>' or "/>" (true: "/>"), into attrs_ (and the "p" of
  // values that start with "p:" into value_prefixes_); in a payload, checked and probed.
  bool attributes(bool payload) {
    attrs_.clear();
    value_prefixes_.clear();
    for (;;) {
      const size_t before = i_;
      skip_ws();
      if (at_end()) throw Bail{};
      if (peek() == '>') {
        ++i_;
        break;
      }
      if (starts("/>")) {
        i_ += 2;
        return finish_attributes(true);
      }
      if (i_ == before) throw Bail{};  // attributes must be separated by whitespace
      attrs_.push_back(attribute(payload));
      // The limits scan_markup_limits() enforces on the full path (markup_precheck.cpp), counted
      // alike: over them, that path refuses the document.
      if (attrs_.size() > limits_.max_attributes) throw Bail{};
    }
    return finish_attributes(false);
  }
  bool finish_attributes(bool empty) {
    if (has_duplicate([](const Attr& a) { return a.qname; }, [](const Attr&) { return true; }))
      throw Bail{};  // the same name twice, as written
    return empty;
  }

  // One attribute at i_: name, '=', value.
  Attr attribute(bool payload) {
    Attr a{};
    a.qname = qname(&a.prefix, &a.local);
    skip_ws();
    if (peek() != '=') throw Bail{};
    ++i_;
    skip_ws();
    a.decl = a.qname == "xmlns" || a.prefix == "xmlns";
    std::string vp;
    bool has_vp = false;
    a.value = attr_value(payload && !a.decl, &vp, &has_vp);
    if (has_vp) value_prefixes_.push_back(std::move(vp));
    if (a.decl) {
      const std::string_view p = a.prefix.empty() ? std::string_view() : a.local;
      if (p == "xml" || p == "xmlns" || (!p.empty() && a.value.empty())) throw Bail{};
      if (a.value.find('&') != std::string_view::npos || a.value == kNsXmlPrefix || a.value == kNsXmlns) throw Bail{};
      if (payload) chars_ok(a.value);
    }
    return a;
  }

  // Brings the element's namespace declarations (attrs_) into scope and resolves the namespaces
  // of its attributes; returns the namespace of its name.
  std::string_view bind(std::string_view prefix) {
    const size_t mark = bindings_.size();
    for (const auto& a : attrs_)
      if (a.decl) bindings_.push(a.prefix.empty() ? std::string_view() : a.local, a.value);
    if (bindings_.size() > limits_.max_namespace_declarations) throw Bail{};
    if (bindings_.size() != mark) bindings_.changed();
    if (prefix == "xml" || prefix == "xmlns") throw Bail{};
    const std::string_view ns = bindings_.lookup(prefix);
    for (auto& a : attrs_) {
      if (a.decl) continue;
      if (a.prefix.empty()) a.ns = {};
      else if (a.prefix == "xml") a.ns = kNsXmlPrefix;
      else a.ns = bindings_.lookup(a.prefix);
    }
    // Two prefixed attributes of the same expanded name (Namespaces in XML 1.0 §6.3).
    if (has_duplicate([](const Attr& a) { return std::make_pair(a.ns, a.local); },
                      [](const Attr& a) { return !a.decl && !a.prefix.empty(); }))
      throw Bail{};
    return ns;
  }

  // An element inside a payload: what Xerces would refuse or look up is left to it; the
  // prefixes its names and values use, that the payload does not declare, are recorded for the
  // top-level element it belongs to (a new one at the payload's depth).
  void record_payload_names(size_t lt, std::string_view qn, std::string_view prefix, std::string_view ns) {
    if (known_namespace(ns)) throw Bail{};  // validated laxly (validate_wildcard_content)
    for (const auto& a : attrs_) {
      if (a.decl) continue;
      if (a.prefix == "xml" && a.local != "lang") throw Bail{};
      if (a.ns == kNsXsi) {
        if (a.local != "type") throw Bail{};
        xsi_type_ok(a.value);
      }
    }
    if (stack_.size() == payload_depth_) {  // a new top-level element of the payload
      // Real payloads have one (a STIX package) or a few; a flood of siblings is left to
      // Xerces and its limits rather than recorded here.
      if (cur_.tops.size() >= kMaxTops) throw Bail{};
      FragmentTop t;
      t.lt = lt;
      t.qname_len = static_cast<uint32_t>(qn.size());
      for (const auto& a : attrs_)
        if (a.decl) t.own_decls.emplace_back(a.prefix.empty() ? std::string_view() : a.local);
      cur_.tops.push_back(std::move(t));
      top_names_.clear();
      top_values_.clear();
    }
    FragmentTop& top = cur_.tops.back();
    if (!prefix.empty() && !bindings_.declared_in_fragment(prefix)) add_unique(top.name_prefixes, top_names_, prefix);
    for (const auto& a : attrs_)
      if (!a.decl && !a.prefix.empty() && !bindings_.declared_in_fragment(a.prefix))
        add_unique(top.name_prefixes, top_names_, a.prefix);
    for (const auto& p : value_prefixes_)
      if (bindings_.declared_in_envelope(p) && !bindings_.declared_in_fragment(p))
        add_unique(top.value_prefixes, top_values_, p);
  }


  // Whether two of the attributes that `pick` selects have the same key(). Pairwise while there
  // are few (nearly every element); sorted beyond, never quadratic (max_attributes is an
  // operator's setting).
  template <class Key, class Pick>
  bool has_duplicate(Key key, Pick pick) {
    constexpr size_t kFew = 8;
    if (attrs_.size() <= kFew) {
      for (size_t x = 0; x < attrs_.size(); ++x)
        if (pick(attrs_[x]))
          for (size_t y = x + 1; y < attrs_.size(); ++y)
            if (pick(attrs_[y]) && key(attrs_[x]) == key(attrs_[y])) return true;
      return false;
    }
    order_.clear();
    for (uint32_t x = 0; x < attrs_.size(); ++x)
      if (pick(attrs_[x])) order_.push_back(x);
    std::sort(order_.begin(), order_.end(), [&](uint32_t x, uint32_t y) { return key(attrs_[x]) < key(attrs_[y]); });
    for (size_t k = 1; k < order_.size(); ++k)
      if (key(attrs_[order_[k - 1]]) == key(attrs_[order_[k]])) return true;
    return false;
  }

  // An xmlns value inside a payload: XML characters only (no references: checked above).
  void chars_ok(std::string_view v) {
    const size_t save = i_;
    i_ = static_cast<size_t>(v.data() - s_.data());
    chars_until(i_ + v.size(), nullptr);
    i_ = save;
  }

  // xsi:type="p:T" naming a type of a namespace no embedded grammar defines: Xerces looks it
  // up and reports "grammar not found", which the handler ignores (xml_parser.cpp).
  void xsi_type_ok(std::string_view v) {
    size_t k = 0;
    auto nc = [&]() {
      const size_t b = k;
      if (k >= v.size() || !name_start(static_cast<unsigned char>(v[k]))) throw Bail{};
      while (k < v.size() && name_char(static_cast<unsigned char>(v[k]))) ++k;
      return v.substr(b, k - b);
    };
    std::string_view p = nc();
    if (k < v.size() && v[k] == ':') {
      ++k;
      nc();
    } else {
      throw Bail{};  // unprefixed: the default or no namespace
    }
    if (k != v.size()) throw Bail{};
    const std::string_view ns = bindings_.lookup(p);
    if (ns.empty() || known_namespace(ns) || ns == kNsXsd || ns == kNsXsi) throw Bail{};
  }

  void end_tag() {
    i_ += 2;
    // The name must be the open element's, as written: compared, not scanned. A name that
    // goes on past it (a name character, ':' or a non-ASCII byte next) is another name.
    if (stack_.empty()) throw Bail{};
    const std::string_view qn = stack_.back().qname;
    if (s_.compare(i_, qn.size(), qn) != 0) throw Bail{};
    i_ += qn.size();
    if (const unsigned char c = peek(); kName.t[c] || c == ':' || c >= 0x80) throw Bail{};
    skip_ws();
    if (peek() != '>') throw Bail{};
    ++i_;
    if (in_payload_ && stack_.size() == payload_depth_) {
      cur_.end = s_.rfind('<', i_ - 1);
      plan_->payloads.push_back(std::move(cur_));
      cur_ = SkippedPayload{};
      in_payload_ = false;
    }
    bindings_.truncate(stack_.back().bind_mark);
    stack_.pop_back();
    text_probe_.reset();
  }

  const ParseLimits& limits_;
  PayloadPlan* plan_;
  size_t elements_ = 0;
  Bindings bindings_;
  std::vector<Open> stack_;
  std::vector<Attr> attrs_;
  std::vector<uint32_t> order_;  // has_duplicate()
  std::vector<std::string> value_prefixes_;
  // The current top-level element's name_prefixes / value_prefixes as hash sets, once long.
  std::unordered_set<std::string> top_names_, top_values_;
  bool in_payload_ = false;
  size_t payload_depth_ = 0;
  SkippedPayload cur_;
  PrefixProbe text_probe_, value_probe_;
};

// The envelope Xerces validates: the body with each payload replaced by its line breaks only,
// so that Xerces' line numbers stay those of the source; and the offset map back.
void build_envelope(std::string_view body, size_t skipped, PayloadPlan* plan) {
  std::string& env = plan->envelope;
  env.reserve(body.size() - skipped + 64);
  uint64_t pos = 0, removed = 0;
  for (const auto& p : plan->payloads) {
    env.append(body.data() + pos, p.begin - pos);
    plan->env_pos.push_back(env.size());
    // Keep the line breaks, so that Xerces' line numbers stay those of the source.
    const char* b = body.data() + p.begin;
    const char* e = body.data() + p.end;
    size_t kept = 0;
    if (std::memchr(b, '\r', static_cast<size_t>(e - b)) == nullptr) {
      for (const char* c = b; (c = static_cast<const char*>(std::memchr(c, '\n', static_cast<size_t>(e - c)))) != nullptr; ++c) {
        env.push_back('\n');
        ++kept;
      }
    } else {
      for (const char* c = b; c < e; ++c)
        if (*c == '\n' || *c == '\r') {
          env.push_back(*c);
          ++kept;
        }
    }
    removed += (p.end - p.begin) - kept;
    plan->delta.push_back(removed);
    pos = p.end;
  }
  env.append(body.data() + pos, body.size() - pos);
}

}  // namespace

bool plan_payload_skip(std::string_view body, const ParseLimits& limits, PayloadPlan* plan) {
  plan->payloads.clear();
  plan->envelope.clear();
  plan->env_pos.clear();
  plan->delta.clear();
  try {
    Scanner(body, limits, plan).run();
  } catch (const Bail&) {
    plan->payloads.clear();
    return false;
  }
  size_t skipped = 0;
  for (const auto& p : plan->payloads) skipped += p.end - p.begin;
  if (skipped < 1024) {  // not worth an envelope copy
    plan->payloads.clear();
    return false;
  }
  build_envelope(body, skipped, plan);
  return true;
}

}  // namespace taxii::xml
