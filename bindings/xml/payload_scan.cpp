// The payload scanner of parse_document's fast path (payload_scan.hpp says why and what).
#include "bindings/xml/payload_scan.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "core/urn.hpp"

namespace taxii::xml {
namespace {

constexpr std::string_view kNsXsi = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kNsXsd = "http://www.w3.org/2001/XMLSchema";
constexpr std::string_view kNsXmlPrefix = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kNsXmlns = "http://www.w3.org/2000/xmlns/";

struct Bail {};  // give up the fast path (the caller parses everything with Xerces)
constexpr size_t kMaxTops = 1024;  // top-level elements per payload

bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool name_start(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_'; }
bool name_char(unsigned char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
// qname_prefix()'s notion of a name character (xml_document.cpp), on UTF-8 bytes.
struct ValueNameTable {
  bool t[256];
  constexpr ValueNameTable() : t() {
    for (int c = 0; c < 256; ++c)
      t[c] = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == '-' || c == '.' ||
             c >= 0x80;
  }
};
constexpr ValueNameTable kValueName;
bool value_name_char(unsigned char c) { return kValueName.t[c]; }

// XML characters below 0x80.
struct AsciiCharTable {
  bool t[256];
  constexpr AsciiCharTable() : t() {
    for (int c = 0x20; c < 0x80; ++c) t[c] = true;
    t[static_cast<unsigned char>('\t')] = t[static_cast<unsigned char>('\n')] = t[static_cast<unsigned char>('\r')] = true;
  }
};
constexpr AsciiCharTable kAsciiChar;
bool known_namespace(std::string_view ns) {
  return ns == urn::kNsXml11 || ns == urn::kNsXml10 || ns == urn::kNsDefaultQuery || ns == urn::kNsXmlDsig;
}

// Plain character data bytes: XML characters below 0x80 other than '<', '&', ']'.
struct PlainTable {
  bool t[256];
  constexpr PlainTable() : t() {
    for (int c = 0x20; c < 0x80; ++c) t[c] = c != '<' && c != '&' && c != ']';
    t[static_cast<unsigned char>('\t')] = t[static_cast<unsigned char>('\n')] = t[static_cast<unsigned char>('\r')] = true;
  }
};
constexpr PlainTable kPlain;

// Attribute value bytes that need no attention once the prefix probe is done: XML characters
// below 0x80 other than the quotes, '<' and '&'.
struct AttrPlainTable {
  bool t[256];
  constexpr AttrPlainTable() : t() {
    for (int c = 0x20; c < 0x80; ++c) t[c] = c != '<' && c != '&' && c != '"' && c != '\'';
    t[static_cast<unsigned char>('\t')] = t[static_cast<unsigned char>('\n')] = t[static_cast<unsigned char>('\r')] = true;
  }
};
constexpr AttrPlainTable kAttrPlain;

// name_char() as a table.
struct NameTable {
  bool t[256];
  constexpr NameTable() : t() {
    for (int c = 0; c < 256; ++c)
      t[c] = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || (c >= '0' && c <= '9') || c == '-' || c == '.';
  }
};
constexpr NameTable kName;

// Finds the "p" of a leading "p:" in a stream of decoded UTF-8 bytes, like qname_prefix().
class PrefixProbe {
 public:
  void reset() {
    state_ = 0;
    len_ = 0;
  }
  bool done() const { return state_ == 2; }
  void feed(unsigned char c) {
    if (state_ == 0) {
      if (is_ws(c)) return;
      state_ = 1;
    }
    if (state_ == 1) {
      if (value_name_char(c)) {
        if (len_ < sizeof name_) name_[len_] = static_cast<char>(c);
        ++len_;  // a long run of name characters (a hex dump) is counted, not kept
      } else {
        state_ = 2;
        found_ = c == ':' && len_ != 0;
        if (found_ && len_ > sizeof name_) throw Bail{};  // a prefix this long: Xerces' path
      }
    }
  }
  // The prefix, if one was found; call once at the end of the value or text.
  bool take(std::string* out) {
    const bool f = state_ == 2 && found_;
    if (f) out->assign(name_, len_);
    state_ = 0;
    found_ = false;
    len_ = 0;
    return f;
  }

 private:
  int state_ = 0;
  bool found_ = false;
  size_t len_ = 0;
  char name_[256];
};

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

class Scanner {
 public:
  Scanner(std::string_view s, const ParseLimits& limits, PayloadPlan* plan) : s_(s), limits_(limits), plan_(plan) {}

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
  struct Binding {
    std::string_view prefix, uri;
  };
  struct Open {
    std::string_view qname, local, ns;
    size_t bind_mark;
  };
  struct Attr {
    std::string_view qname, prefix, local, value, ns;
    bool decl;
  };

  bool at_end() const { return i_ >= s_.size(); }
  unsigned char peek(size_t k = 0) const { return i_ + k < s_.size() ? static_cast<unsigned char>(s_[i_ + k]) : 0; }
  bool starts(std::string_view lit) const { return s_.compare(i_, lit.size(), lit) == 0; }
  void skip_ws() {
    const char* p = s_.data();
    const size_t n = s_.size();
    size_t j = i_;
    while (j < n && is_ws(static_cast<unsigned char>(p[j]))) ++j;
    i_ = j;
  }
  size_t find(std::string_view lit) const {
    const size_t p = s_.find(lit, i_);
    if (p == std::string_view::npos) throw Bail{};
    return p;
  }

  // Whitespace, comments and PIs outside the root element (left to Xerces to check).
  void misc() {
    for (;;) {
      skip_ws();
      if (starts("<?")) i_ = find("?>") + 2;
      else if (starts("<!--")) i_ = find("-->") + 3;
      else return;
    }
  }

  // NCName made of ASCII name characters.
  std::string_view ncname() {
    const size_t b = i_;
    if (!name_start(peek())) throw Bail{};
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    const size_t n = s_.size();
    size_t j = i_ + 1;  // a local: stores to i_ may alias the bytes read
    while (j < n && kName.t[p[j]]) ++j;
    i_ = j;
    return s_.substr(b, j - b);
  }
  // QName: NCName or NCName ':' NCName. Sets *prefix and *local.
  std::string_view qname(std::string_view* prefix, std::string_view* local) {
    const size_t b = i_;
    std::string_view first = ncname();
    if (peek() == ':') {
      ++i_;
      *prefix = first;
      *local = ncname();
      if (peek() == ':') throw Bail{};
    } else {
      *prefix = {};
      *local = first;
    }
    const unsigned char c = peek();
    if (c >= 0x80) throw Bail{};  // a non-ASCII name character: leave names to Xerces
    return s_.substr(b, i_ - b);
  }

  std::string_view lookup(std::string_view prefix) {
    Cached& c = cached(prefix);
    if (c.uri_known) return c.uri;
    for (size_t k = bindings_.size(); k-- > 0;)
      if (bindings_[k].prefix == prefix) {
        c.uri = bindings_[k].uri;
        c.uri_known = true;
        return c.uri;
      }
    if (!prefix.empty()) throw Bail{};  // unbound prefix
    c.uri = {};
    c.uri_known = true;
    return {};
  }
  bool declared_in_fragment(std::string_view prefix) {
    Cached& c = cached(prefix);
    if (c.in_fragment < 0) {
      c.in_fragment = 0;
      for (size_t k = frag_bind_base_; k < bindings_.size(); ++k)
        if (bindings_[k].prefix == prefix) {
          c.in_fragment = 1;
          break;
        }
    }
    return c.in_fragment == 1;
  }

  // Whether the payload's ancestors (the envelope) declare `prefix`. Only such a prefix can ever
  // be spliced into the captured payload (XmlDocument::inner_xml), so a value's "p:" is recorded
  // only then: what is recorded stays within the envelope's declarations however many different
  // "pN:" a payload's texts start with (100,000 of them were 100,000 recorded strings).
  bool declared_in_envelope(std::string_view prefix) {
    if (frag_bind_base_ <= 8) {
      for (size_t k = 0; k < frag_bind_base_; ++k)
        if (bindings_[k].prefix == prefix) return true;
      return false;
    }
    if (envelope_prefixes_.empty())
      for (size_t k = 0; k < frag_bind_base_; ++k) envelope_prefixes_.insert(bindings_[k].prefix);
    return envelope_prefixes_.count(prefix) != 0;
  }

  // What lookup() and declared_in_fragment() found for a prefix, while the bindings stay as
  // they were (epoch_): a payload's elements use a few prefixes over and over, declared
  // among the twenty-odd of a STIX package's root.
  struct Cached {
    std::string_view prefix;
    uint64_t epoch = 0;  // 0: empty
    std::string_view uri;
    bool uri_known = false;
    int in_fragment = -1;
  };
  // Only prefixes that are views of the document are kept (a probed value prefix is a string
  // of its own that may be gone by the next call): any other gets a scratch entry.
  Cached& cached(std::string_view prefix) {
    const auto* b = s_.data();
    if (prefix.data() < b || prefix.data() + prefix.size() > b + s_.size()) {
      scratch_ = Cached{prefix, epoch_, {}, false, -1};
      return scratch_;
    }
    const size_t slot = (prefix.size() * 31 + (prefix.empty() ? 0 : static_cast<unsigned char>(prefix.back()))) & 7;
    Cached& c = cache_[slot];
    if (c.epoch != epoch_ || c.prefix != prefix) c = Cached{prefix, epoch_, {}, false, -1};
    return c;
  }
  void bindings_changed() { ++epoch_; }

  // One strictly decoded UTF-8 character at i_ (>= 0x80), which must be an XML Char; the
  // bytes are fed to the probe when there is one.
  void utf8_char(PrefixProbe* probe) {
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data()) + i_;
    const size_t left = s_.size() - i_;
    const unsigned char c = p[0];
    uint32_t cp = 0;
    size_t n = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
    } else {
      throw Bail{};
    }
    if (left < n) throw Bail{};
    for (size_t k = 1; k < n; ++k)
      if ((p[k] & 0xC0) != 0x80) throw Bail{};
    if (n == 2) {
      cp = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    } else if (n == 3) {
      cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) throw Bail{};
    } else {
      cp = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
      if (cp < 0x10000 || cp > 0x10FFFF) throw Bail{};
    }
    if (probe != nullptr && !probe->done())
      for (size_t k = 0; k < n; ++k) probe->feed(p[k]);
    i_ += n;
  }

  static bool xml_char(uint32_t cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           (cp >= 0x10000 && cp <= 0x10FFFF);
  }

  // A reference at i_ ('&'): one of the five predefined entities or a character reference.
  void reference(PrefixProbe* probe) {
    ++i_;
    uint32_t cp = 0;
    if (peek() == '#') {
      ++i_;
      const bool hex = peek() == 'x';
      if (hex) ++i_;
      size_t digits = 0;
      for (;;) {
        const unsigned char c = peek();
        uint32_t d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
        else break;
        if (++digits > 7) throw Bail{};
        cp = cp * (hex ? 16 : 10) + d;
        ++i_;
      }
      if (digits == 0 || peek() != ';' || !xml_char(cp)) throw Bail{};
      ++i_;
    } else {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"apos;", '\''}, {"quot;", '"'}};
      bool ok = false;
      for (const auto& [name, ch] : kEntities) {
        if (starts(name)) {
          i_ += name.size();
          cp = static_cast<unsigned char>(ch);
          ok = true;
          break;
        }
      }
      if (!ok) throw Bail{};
    }
    if (probe == nullptr || probe->done()) return;
    // Feed the character's UTF-8 bytes.
    char buf[4];
    size_t n = 0;
    if (cp < 0x80) {
      buf[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      buf[n++] = static_cast<char>(0xC0 | (cp >> 6));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buf[n++] = static_cast<char>(0xE0 | (cp >> 12));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      buf[n++] = static_cast<char>(0xF0 | (cp >> 18));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    for (size_t k = 0; k < n; ++k) probe->feed(static_cast<unsigned char>(buf[k]));
  }

  // Checks [i_, end) holds XML characters only (comments, PI data, CDATA); feeds the probe.
  void chars_until(size_t end, PrefixProbe* probe) {
    if (probe == nullptr || probe->done()) {  // the ASCII run in one go
      const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
      size_t j = i_;
      while (j < end && kAsciiChar.t[p[j]]) ++j;
      i_ = j;
    }
    while (i_ < end) {
      const unsigned char c = peek();
      if (c < 0x80) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') throw Bail{};
        if (probe != nullptr && !probe->done()) probe->feed(c);
        ++i_;
      } else {
        utf8_char(probe);
        if (i_ > end) throw Bail{};
      }
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
    if (text_probe_.take(&p) && declared_in_envelope(p) && !declared_in_fragment(p))
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
    attrs_.clear();
    value_prefixes_.clear();
    bool empty = false;
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
        empty = true;
        break;
      }
      if (i_ == before) throw Bail{};  // attributes must be separated by whitespace
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
      attrs_.push_back(a);
      // The limits scan_markup_limits() enforces on the full path (xml_document.cpp), counted
      // alike: over them, that path refuses the document.
      if (attrs_.size() > limits_.max_attributes) throw Bail{};
    }
    if (has_duplicate([](const Attr& a) { return a.qname; }, [](const Attr&) { return true; }))
      throw Bail{};  // the same name twice, as written
    if (++elements_ > limits_.max_elements || stack_.size() + 1 > limits_.max_depth) throw Bail{};

    const size_t mark = bindings_.size();
    for (const auto& a : attrs_)
      if (a.decl) bindings_.push_back({a.prefix.empty() ? std::string_view() : a.local, a.value});
    if (bindings_.size() > limits_.max_namespace_declarations) throw Bail{};
    if (bindings_.size() != mark) bindings_changed();
    if (prefix == "xml" || prefix == "xmlns") throw Bail{};
    const std::string_view ns = lookup(prefix);
    for (auto& a : attrs_) {
      if (a.decl) continue;
      if (a.prefix.empty()) a.ns = {};
      else if (a.prefix == "xml") a.ns = kNsXmlPrefix;
      else a.ns = lookup(a.prefix);
    }
    // Two prefixed attributes of the same expanded name (Namespaces in XML 1.0 §6.3).
    if (has_duplicate([](const Attr& a) { return std::make_pair(a.ns, a.local); },
                      [](const Attr& a) { return !a.decl && !a.prefix.empty(); }))
      throw Bail{};

    if (payload) {
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
      if (!prefix.empty() && !declared_in_fragment(prefix)) add_unique(top.name_prefixes, top_names_, prefix);
      for (const auto& a : attrs_)
        if (!a.decl && !a.prefix.empty() && !declared_in_fragment(a.prefix))
          add_unique(top.name_prefixes, top_names_, a.prefix);
      for (const auto& p : value_prefixes_)
        if (declared_in_envelope(p) && !declared_in_fragment(p)) add_unique(top.value_prefixes, top_values_, p);
    }

    if (empty) {
      if (bindings_.size() != mark) {
        bindings_.resize(mark);
        bindings_changed();
      }
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
      frag_bind_base_ = bindings_.size();
      envelope_prefixes_.clear();
      bindings_changed();
      cur_ = SkippedPayload{};
      cur_.begin = i_;
    }
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
  // up and reports "grammar not found", which the handler ignores (xml_document.cpp).
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
    const std::string_view ns = lookup(p);
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
    if (bindings_.size() != stack_.back().bind_mark) {
      bindings_.resize(stack_.back().bind_mark);
      bindings_changed();
    }
    stack_.pop_back();
    text_probe_.reset();
  }

  std::string_view s_;
  const ParseLimits& limits_;
  PayloadPlan* plan_;
  size_t i_ = 0;
  size_t elements_ = 0;
  std::vector<Binding> bindings_;
  uint64_t epoch_ = 1;
  Cached cache_[8];
  Cached scratch_;
  std::vector<Open> stack_;
  std::vector<Attr> attrs_;
  std::vector<uint32_t> order_;  // has_duplicate()
  std::vector<std::string> value_prefixes_;
  // The current top-level element's name_prefixes / value_prefixes as hash sets, once long.
  std::unordered_set<std::string> top_names_, top_values_;
  std::unordered_set<std::string_view> envelope_prefixes_;  // declared_in_envelope()
  bool in_payload_ = false;
  size_t payload_depth_ = 0;
  size_t frag_bind_base_ = 0;
  SkippedPayload cur_;
  PrefixProbe text_probe_, value_probe_;
};

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
  return true;
}

}  // namespace taxii::xml
