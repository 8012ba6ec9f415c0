// The checks before Xerces (markup_precheck.hpp): the prolog and the markup limits.
#include "bindings/xml/markup_precheck.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace taxii::xml {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The XML declaration's pseudo-attributes (XML 1.0 §2.8, §4.3.3) between "<?xml" and "?>": the
// encoding may only be UTF-8 or US-ASCII (names compared case-insensitively), the bytes being
// read as UTF-8 whatever is declared (the prolog checks, the payload scanner and every raw slice
// of the source read bytes). Anything else is refused, rather than left to Xerces to decode
// otherwise than the byte checks read (UTF-7 was accepted and read as UTF-8: a differential).
Status check_declared_encoding(std::string_view decl) {
  auto refuse = [](std::string_view name) {
    std::string shown(name.substr(0, 40));
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
    return Error::bad_message("the XML declaration names encoding \"" + shown +
                              "\": only UTF-8 (or US-ASCII) encoded XML is accepted");
  };
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(a[k])) != b[k]) return false;
    return true;
  };
  size_t k = 0;
  bool checked = false;
  while (k < decl.size()) {
    while (k < decl.size() && is_blank(decl[k])) ++k;
    const size_t nb = k;
    while (k < decl.size() && std::isalpha(static_cast<unsigned char>(decl[k]))) ++k;
    const std::string_view name = decl.substr(nb, k - nb);
    while (k < decl.size() && is_blank(decl[k])) ++k;
    if (name.empty() || k >= decl.size() || decl[k] != '=') break;
    ++k;
    while (k < decl.size() && is_blank(decl[k])) ++k;
    if (k >= decl.size() || (decl[k] != '"' && decl[k] != '\'')) break;
    const size_t close = decl.find(decl[k], k + 1);
    if (close == std::string_view::npos) break;
    const std::string_view value = decl.substr(k + 1, close - k - 1);
    k = close + 1;
    if (name == "encoding") {
      if (!iequals(value, "utf-8") && !iequals(value, "us-ascii")) return refuse(value);
      checked = true;
    }
  }
  // A declaration too malformed to read is Xerces' to report, but not one that names an
  // encoding this loop could not check.
  if (!checked && decl.find("encoding") != std::string_view::npos) return refuse("?");
  return ok_status();
}

// Bytes that end a name in a tag: blanks, '/', '>', '=', '<', quotes.
struct Delims {
  bool t[256];
  constexpr Delims() : t() {
    for (unsigned char c : {' ', '\t', '\r', '\n', '/', '>', '=', '<', '"', '\''}) t[c] = true;
  }
};
constexpr Delims kDelim;

// scan_markup_limits(): text is skipped with memchr; comments, PIs and CDATA sections are
// stepped over whole; per start tag, its name, then (blanks, name, '=', quoted value) per
// attribute, counting attributes and namespace declarations.
class MarkupLimitScan {
 public:
  MarkupLimitScan(std::string_view s, const ParseLimits& limits) : s_(s), p_(s.data()), n_(s.size()), limits_(limits) {}

  Status run() {
    size_t i = 0;
    for (;;) {
      const void* lt = i < n_ ? std::memchr(p_ + i, '<', n_ - i) : nullptr;
      if (lt == nullptr) return ok_status();
      i = static_cast<size_t>(static_cast<const char*>(lt) - p_);
      if (i + 1 >= n_) return ok_status();
      const char c = p_[i + 1];
      Step step;
      if (c == '/') step = end_tag(i);
      else if (c == '?' || c == '!') step = other_markup(i);
      else step = start_tag(i);
      if (step == Step::Stop) return ok_status();
      if (step == Step::OverAttributes)
        return Error::bad_message("an element has more than " + std::to_string(limits_.max_attributes) +
                                  " attributes (limit max_attributes)");
      if (step == Step::OverDeclarations)
        return Error::bad_message("more than " + std::to_string(limits_.max_namespace_declarations) +
                                  " namespace declarations in scope (limit max_namespace_declarations)");
    }
  }

 private:
  // Next: go on after the markup. Stop: malformed or cut short (the pass ends; Xerces reports it).
  enum class Step { Next, Stop, OverAttributes, OverDeclarations };

  bool delim(size_t j) const { return kDelim.t[static_cast<unsigned char>(p_[j])]; }

  // An end tag at i (no quotes inside): the declarations of the element it closes go out of scope.
  Step end_tag(size_t& i) {
    const void* gt = std::memchr(p_ + i, '>', n_ - i);
    if (gt == nullptr) return Step::Stop;
    i = static_cast<size_t>(static_cast<const char*>(gt) - p_) + 1;
    if (!declared_.empty()) {
      in_scope_ -= declared_.back();
      declared_.pop_back();
    }
    return Step::Next;
  }

  // A PI, comment or CDATA section at i, stepped over whole.
  Step other_markup(size_t& i) {
    const char c = p_[i + 1];
    size_t e = std::string_view::npos, skip = 0;
    if (c == '?') e = s_.find("?>", i + 2), skip = 2;
    else if (s_.compare(i, 4, "<!--") == 0) e = s_.find("-->", i + 4), skip = 3;
    else if (s_.compare(i, 9, "<![CDATA[") == 0) e = s_.find("]]>", i + 9), skip = 3;
    // else a DOCTYPE (refused when Xerces reports it, before its subset is read) or garbage
    if (e == std::string_view::npos) return Step::Stop;
    i = e + skip;
    return Step::Next;
  }

  // A start tag at i: its name, then its attributes.
  Step start_tag(size_t& i) {
    size_t j = i + 1;
    while (j < n_ && !delim(j)) ++j;
    size_t attributes = 0, declarations = 0;
    for (;;) {
      while (j < n_ && is_blank(p_[j])) ++j;
      if (j >= n_) return Step::Stop;
      if (p_[j] == '>') {
        declared_.push_back(static_cast<uint32_t>(declarations));
        in_scope_ += declarations;
        i = j + 1;
        return Step::Next;
      }
      if (p_[j] == '/') {
        if (j + 1 >= n_ || p_[j + 1] != '>') return Step::Stop;
        i = j + 2;
        return Step::Next;
      }
      const Step a = attribute(j, &attributes, &declarations);
      if (a != Step::Next) return a;
    }
  }

  // One attribute at j (blanks before it skipped): name, '=', quoted value; j goes past it.
  Step attribute(size_t& j, size_t* attributes, size_t* declarations) {
    const size_t nb = j;
    while (j < n_ && !delim(j)) ++j;
    if (j == nb) return Step::Stop;
    const std::string_view name = s_.substr(nb, j - nb);
    while (j < n_ && is_blank(p_[j])) ++j;
    if (j >= n_ || p_[j] != '=') return Step::Stop;
    ++j;
    while (j < n_ && is_blank(p_[j])) ++j;
    if (j >= n_ || (p_[j] != '"' && p_[j] != '\'')) return Step::Stop;
    const void* q = std::memchr(p_ + j + 1, p_[j], n_ - j - 1);
    if (q == nullptr) return Step::Stop;
    j = static_cast<size_t>(static_cast<const char*>(q) - p_) + 1;
    if (++*attributes > limits_.max_attributes) return Step::OverAttributes;
    if ((name == "xmlns" || name.compare(0, 6, "xmlns:") == 0) &&
        in_scope_ + ++*declarations > limits_.max_namespace_declarations)
      return Step::OverDeclarations;
    return Step::Next;
  }

  std::string_view s_;
  const char* p_;
  size_t n_;
  const ParseLimits& limits_;
  std::vector<uint32_t> declared_;  // per open element: the declarations it made
  size_t in_scope_ = 0;
};

}  // namespace

Status precheck(std::string_view body, const ParseLimits& limits, bool* utf8) {
  if (utf8 != nullptr) *utf8 = true;
  if (body.size() > limits.max_bytes)
    return Error::bad_message("message of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                              std::to_string(limits.max_bytes) + " bytes");
  if (body.empty()) return Error::bad_message("empty message body");
  // Only ASCII-compatible encodings: the prolog checks below read bytes. A UTF-16 or UTF-32
  // byte order mark, EBCDIC's '<', or a NUL among the first four bytes (UTF-16/32 without a
  // mark, which Xerces would detect and decode).
  const auto b0 = static_cast<unsigned char>(body[0]);
  if (b0 == 0x00 || b0 == 0xFE || b0 == 0xFF || b0 == 0x4C ||
      std::memchr(body.data(), 0, std::min<size_t>(body.size(), 4)) != nullptr)
    return Error::bad_message("only UTF-8 encoded XML is accepted");
  // Walk the prolog (XML declaration, comments, PIs, whitespace) up to the root element.
  size_t i = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (i < body.size()) {
    const char c = body[i];
    if (is_blank(c)) {
      ++i;
    } else if (body.compare(i, 5, "<?xml") == 0 && i + 5 < body.size() && is_blank(body[i + 5])) {
      const size_t end = body.find("?>", i);
      if (end == std::string_view::npos) break;
      if (auto st = check_declared_encoding(body.substr(i + 5, end - i - 5)); !st.ok()) return st;
      i = end + 2;
    } else if (body.compare(i, 4, "<!--") == 0) {
      const size_t end = body.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
    } else if (body.compare(i, 2, "<?") == 0) {
      const size_t end = body.find("?>", i);
      if (end == std::string_view::npos) break;
      i = end + 2;
    } else if (body.compare(i, 9, "<!DOCTYPE") == 0) {
      return Error::bad_message("DOCTYPE declarations are not allowed");
    } else {
      break;  // the root element (or garbage, which the parser reports)
    }
  }
  return ok_status();
}

Status scan_markup_limits(std::string_view s, const ParseLimits& limits) { return MarkupLimitScan(s, limits).run(); }

}  // namespace taxii::xml
