// peek_poll_response (part_hint.hpp says what it is for and how little it promises).
#include "client/part_hint.hpp"

#include <algorithm>

namespace taxii::client {
namespace {

constexpr size_t kMaxProlog = 4096;  // bytes before the root element worth looking through
constexpr size_t kMaxTag = 4096;     // length of the root start tag worth reading

bool ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && ws(v.front())) v.remove_prefix(1);
  while (!v.empty() && ws(v.back())) v.remove_suffix(1);
  return v;
}

}  // namespace

std::optional<PartHint> peek_poll_response(std::string_view body) {
  size_t i = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  // Prolog: XML declaration, PIs, comments, whitespace.
  for (;;) {
    while (i < body.size() && ws(body[i])) ++i;
    if (i > kMaxProlog) return std::nullopt;
    if (body.compare(i, 2, "<?") == 0) {
      const size_t e = body.find("?>", i + 2);
      if (e == std::string_view::npos) return std::nullopt;
      i = e + 2;
    } else if (body.compare(i, 4, "<!--") == 0) {
      const size_t e = body.find("-->", i + 4);
      if (e == std::string_view::npos) return std::nullopt;
      i = e + 3;
    } else {
      break;
    }
  }
  if (i >= body.size() || body[i] != '<') return std::nullopt;
  const size_t tag = ++i;
  while (i < body.size() && name_char(body[i])) ++i;
  std::string_view qname = body.substr(tag, i - tag);
  const size_t colon = qname.rfind(':');
  if ((colon == std::string_view::npos ? qname : qname.substr(colon + 1)) != "Poll_Response") return std::nullopt;

  PartHint h;
  const size_t limit = std::min(body.size(), tag + kMaxTag);
  for (;;) {
    const size_t before = i;
    while (i < limit && ws(body[i])) ++i;
    if (i >= limit) return std::nullopt;
    if (body[i] == '>' || body.compare(i, 2, "/>") == 0) return h;
    if (i == before) return std::nullopt;  // attributes are separated by whitespace
    const size_t n = i;
    while (i < limit && name_char(body[i])) ++i;
    const std::string_view name = body.substr(n, i - n);
    if (name.empty()) return std::nullopt;
    while (i < limit && ws(body[i])) ++i;
    if (i >= limit || body[i] != '=') return std::nullopt;
    ++i;
    while (i < limit && ws(body[i])) ++i;
    if (i >= limit || (body[i] != '"' && body[i] != '\'')) return std::nullopt;
    const char q = body[i++];
    const size_t v = i;
    while (i < limit && body[i] != q && body[i] != '<') ++i;
    if (i >= limit || body[i] != q) return std::nullopt;
    const std::string_view raw = body.substr(v, i - v);
    ++i;
    // Unprefixed names only: the binding's attributes are in no namespace.
    const bool needed = name == "more" || name == "result_id" || name == "result_part_number" || name == "collection_name";
    if (!needed) continue;
    if (raw.find('&') != std::string_view::npos) return std::nullopt;  // a reference: not worth decoding
    const std::string_view value = trim(raw);
    if (name == "more") {
      h.more = value == "true" || value == "1";
    } else if (name == "result_id") {
      h.result_id = std::string(value);
    } else if (name == "collection_name") {
      h.collection = std::string(value);
    } else {
      if (value.empty() || value.size() > 18) return std::nullopt;
      uint64_t p = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        p = p * 10 + static_cast<uint64_t>(c - '0');
      }
      h.part = p;
    }
  }
}

}  // namespace taxii::client
