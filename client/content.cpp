#include "client/content.hpp"

#include <cctype>
#include <cstdio>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "bindings/xml/message_binding.hpp"
#include "client/errors.hpp"

namespace taxii::client {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The XML declaration at the start of s: its length, and its encoding (empty if none given).
struct Declaration {
  size_t length = 0;
  std::string encoding;
};

std::optional<Declaration> read_declaration(std::string_view s) {
  if (!starts_with(s, "<?xml") || s.size() < 6 || !std::isspace(static_cast<unsigned char>(s[5]))) return std::nullopt;
  const size_t end = s.find("?>");
  if (end == std::string_view::npos) return std::nullopt;
  Declaration d;
  d.length = end + 2;
  const std::string_view body = s.substr(0, end);
  const size_t enc = body.find("encoding");
  if (enc != std::string_view::npos) {
    const size_t q = body.find_first_of("\"'", enc);
    if (q != std::string_view::npos) {
      const size_t q2 = body.find(body[q], q + 1);
      if (q2 != std::string_view::npos) d.encoding = std::string(body.substr(q + 1, q2 - q - 1));
    }
  }
  return d;
}

// A one-block Inbox_Message of type M (1.1 or 1.0) around the markup.
template <class M>
Message probe_message(const std::string& markup) {
  M m;
  m.message_id = "1";
  m.content_blocks.emplace_back();
  auto& b = m.content_blocks.back();
  if constexpr (std::is_same_v<M, v11::InboxMessage>) b.binding_id = "urn:taxii-cpp:probe";
  else b.binding = "urn:taxii-cpp:probe";
  b.content = Mixed{markup};
  return Message{std::move(m)};
}

// The content of the single block of a parsed Inbox_Message of type M, if that is what it is.
template <class M>
std::optional<std::string> single_block(const Message& parsed) {
  const auto* m = std::get_if<M>(&parsed);
  if (m == nullptr || m->content_blocks.size() != 1) return std::nullopt;
  return m->content_blocks[0].content.xml;
}

// Parses the markup inside a one-block Inbox_Message of that version, as a server would.
Result<std::string> reparse(const std::string& markup, Version version) {
  const bool v11 = version == Version::V11;
  auto body = xml::serialize_any(v11 ? probe_message<v11::InboxMessage>(markup) : probe_message<v10::InboxMessage>(markup));
  if (!body.ok()) return body.error();
  xml::ParseLimits limits;
  limits.max_bytes = 256u << 20;
  limits.max_elements = 20'000'000;
  auto parsed = xml::parse_with(v11 ? xml::xml11() : xml::xml10(), *body, limits);
  if (!parsed.ok()) return parsed.error();
  if (auto c = v11 ? single_block<v11::InboxMessage>(*parsed) : single_block<v10::InboxMessage>(*parsed)) return *c;
  return Error::bad_message("content changed the message structure");
}

// Drops "line L, column C: " positions that refer to the probe message, not to the file.
std::string reason_of(const Error& e) {
  const std::string& m = e.message();
  const size_t colon = m.find(": ");
  if (m.rfind("line ", 0) == 0 && colon != std::string::npos) return m.substr(colon + 2);
  return m;
}

}  // namespace

std::string find_bad_character(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; len = 2; }
    else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; len = 3; }
    else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; len = 4; }
    else return "byte " + std::to_string(i) + ": not UTF-8";
    if (i + len > s.size()) return "byte " + std::to_string(i) + ": truncated UTF-8 sequence";
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return "byte " + std::to_string(i) + ": not UTF-8";
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return "byte " + std::to_string(i) + ": not UTF-8";
    // XML 1.0 §2.2 Char.
    if ((cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD) || cp == 0xFFFE || cp == 0xFFFF)
    {
      char u[16];
      std::snprintf(u, sizeof u, "U+%04X", static_cast<unsigned>(cp));
      return "byte " + std::to_string(i) + ": character " + u + " cannot appear in XML";
    }
    i += len;
  }
  return {};
}

Result<PreparedContent> prepare_content(std::string_view bytes, ContentForm form, Version version) {
  if (auto bad = find_bad_character(bytes); !bad.empty())
    return local_error(bad + " (only UTF-8 text can be carried; encode binary content, e.g. base64, first)");
  const bool bom = starts_with(bytes, kBom);
  const std::string_view body = bom ? bytes.substr(kBom.size()) : bytes;
  const auto decl = read_declaration(body);
  if (decl && !decl->encoding.empty()) {
    const std::string enc = lower(decl->encoding);
    if (enc != "utf-8" && enc != "utf8" && enc != "us-ascii" && enc != "ascii")
      return local_error("the XML declaration names encoding '" + decl->encoding +
                         "'; only UTF-8 can be carried (convert the file, e.g. with iconv)");
  }

  PreparedContent out;
  switch (form) {
    case ContentForm::Text:
      out.content = Mixed::text(bytes);
      return out;
    case ContentForm::Xml: {
      std::string_view markup = body;
      if (decl) {
        markup = markup.substr(decl->length);
        const size_t start = markup.find_first_not_of(" \t\r\n");
        markup = markup.substr(start == std::string_view::npos ? markup.size() : start);
      }
      auto r = reparse(std::string(markup), version);
      if (!r.ok()) return local_error("not well-formed XML: " + reason_of(r.error()));
      if (Mixed{*r}.is_text()) return local_error("contains no XML element");
      out.content = Mixed{std::string(markup)};
      out.as_xml = true;
      return out;
    }
    case ContentForm::Auto:
      break;
  }
  if (bom || !starts_with(bytes, kXmlDeclaration)) {
    out.note = "sent as text (it does not start with exactly " +
               std::string(kXmlDeclaration.substr(0, kXmlDeclaration.size() - 1)) + " and a newline)";
    out.content = Mixed::text(bytes);
    return out;
  }
  const std::string markup(bytes.substr(kXmlDeclaration.size()));
  auto r = reparse(markup, version);
  if (!r.ok()) {
    out.note = "sent as text (not well-formed XML: " + reason_of(r.error()) + ")";
  } else if (Mixed{*r}.is_text()) {
    out.note = "sent as text (contains no XML element)";
  } else if (*r != markup) {
    size_t at = 0;
    while (at < r->size() && at < markup.size() && (*r)[at] == markup[at]) ++at;
    out.note = "sent as text (its markup would not survive XML parsing byte for byte: byte " +
               std::to_string(at + kXmlDeclaration.size()) + "); use --as xml to embed it anyway";
  } else {
    out.content = Mixed{markup};
    out.as_xml = true;
    return out;
  }
  out.content = Mixed::text(bytes);
  return out;
}

std::string file_bytes(const Mixed& content) {
  if (content.is_text()) return content.text_value();
  std::string out(kXmlDeclaration);
  out += content.xml;
  return out;
}

std::string stream_bytes(const Mixed& content) {
  return content.is_text() ? content.text_value() : content.xml;
}

std::string_view file_extension(const Mixed& content) {
  if (!content.is_text()) return ".xml";
  const std::string t = content.text_value();
  std::string_view v(t);
  if (starts_with(v, kBom)) v.remove_prefix(kBom.size());
  const size_t b = v.find_first_not_of(" \t\r\n");
  return b != std::string_view::npos && v[b] == '<' ? ".xml" : ".txt";
}

}  // namespace taxii::client
