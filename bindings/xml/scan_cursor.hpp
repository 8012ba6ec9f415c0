// The character level of the payload scanner (payload_scan.hpp): a cursor over the document's
// bytes that reads names (Namespaces in XML 1.0 §3 NCName / QName, ASCII only), strict UTF-8
// (RFC 3629 §3), XML characters (XML 1.0 §2.2 Char) and references (§4.1: the five predefined
// entities and character references), feeding the bytes they stand for to a PrefixProbe where the
// caller wants the "p" of a leading "p:". Anything it does not certainly accept throws Bail.
// Internal to bindings/xml; everything is inline, the scanner's hot loops included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/utf8.hpp"

namespace taxii::xml::scan {

struct Bail {};  // give up the fast path (the caller parses everything with Xerces)

// A set of bytes as a table, built at compile time from a predicate.
struct ByteClass {
  bool t[256];
  template <class Pred>
  constexpr explicit ByteClass(Pred in) : t() {
    for (int c = 0; c < 256; ++c) t[c] = in(c);
  }
};

constexpr bool xml_ascii(int c) { return (c >= 0x20 && c < 0x80) || c == '\t' || c == '\n' || c == '\r'; }
constexpr bool ascii_letter(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

inline bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool name_start(unsigned char c) { return ascii_letter(c) || c == '_'; }
inline bool name_char(unsigned char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// qname_prefix()'s notion of a name character (xml_document.cpp), on UTF-8 bytes.
inline constexpr ByteClass kValueName([](int c) {
  return (c >= '0' && c <= '9') || ascii_letter(c) || c == '_' || c == '-' || c == '.' || c >= 0x80;
});
// XML characters below 0x80.
inline constexpr ByteClass kAsciiChar([](int c) { return xml_ascii(c); });
// Plain character data bytes: XML characters below 0x80 other than '<', '&', ']'.
inline constexpr ByteClass kPlain([](int c) { return xml_ascii(c) && c != '<' && c != '&' && c != ']'; });
// Attribute value bytes that need no attention once the prefix probe is done: XML characters
// below 0x80 other than the quotes, '<' and '&'.
inline constexpr ByteClass kAttrPlain([](int c) {
  return xml_ascii(c) && c != '<' && c != '&' && c != '"' && c != '\'';
});
// name_char() as a table.
inline constexpr ByteClass kName([](int c) {
  return ascii_letter(c) || c == '_' || (c >= '0' && c <= '9') || c == '-' || c == '.';
});

inline bool value_name_char(unsigned char c) { return kValueName.t[c]; }

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

// The bytes of one document and a position in them, with the readers of names, characters and
// references.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

 protected:
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
    const size_t n = encode_utf8(cp, buf);
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

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace taxii::xml::scan
