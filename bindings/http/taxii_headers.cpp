#include "bindings/http/taxii_headers.hpp"

#include <algorithm>
#include <cctype>

#include "core/urn.hpp"

namespace taxii::http {
namespace {

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The media type without parameters, lower-cased ("application/xml").
std::string media_type(std::string_view v) { return lower_trim(v.substr(0, v.find(';'))); }

std::string_view services_of(Version v) { return v == Version::V11 ? urn::kServices11 : urn::kServices10; }

Error unsupported_binding(std::string message) {
  Error e{StatusType::UnsupportedMessage, std::move(message)};
  e.with_detail(std::string(detail_name::kSupportedBinding), std::string(urn::kMessageXml11));
  e.with_detail(std::string(detail_name::kSupportedBinding), std::string(urn::kMessageXml10));
  return e;
}

}  // namespace

std::vector<std::string> split_binding_list(std::string_view v) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : v) {
    if (ch == ' ' || ch == ',' || ch == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool is_xml_media_type(std::string_view content_type) {
  const std::string t = media_type(content_type);
  if (t == "application/xml" || t == "text/xml") return true;
  return t.rfind("application/", 0) == 0 && t.size() > 4 && t.compare(t.size() - 4, 4, "+xml") == 0;
}

bool utf8_charset(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (semi == std::string_view::npos) return true;
  std::string_view rest = content_type.substr(semi + 1);
  auto skip_ows = [&rest] {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  };
  // RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ), parameter = name "=" value.
  while (true) {
    skip_ows();
    if (rest.empty()) return true;
    if (rest.front() == ';') {
      rest.remove_prefix(1);
      continue;
    }
    const std::size_t end_name = rest.find_first_of("=;");
    const std::string name = lower_trim(rest.substr(0, end_name));
    if (end_name == std::string_view::npos) return name != "charset";  // "charset" without a value
    if (rest[end_name] == ';') {  // a name without "=": not a parameter, skipped
      rest.remove_prefix(end_name + 1);
      continue;
    }
    rest.remove_prefix(end_name + 1);
    skip_ows();
    std::string value;
    if (!rest.empty() && rest.front() == '"') {  // quoted-string, with quoted-pairs
      std::size_t i = 1;
      bool closed = false;
      for (; i < rest.size(); ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) {
          value += rest[++i];
        } else if (rest[i] == '"') {
          closed = true;
          break;
        } else {
          value += rest[i];
        }
      }
      if (!closed) return name != "charset";
      rest.remove_prefix(i + 1);
      const std::size_t next = rest.find(';');
      rest.remove_prefix(next == std::string_view::npos ? rest.size() : next);
    } else {
      const std::size_t next = rest.find(';');
      value = std::string(rest.substr(0, next));
      rest.remove_prefix(next == std::string_view::npos ? rest.size() : next);
    }
    if (name == "charset") {
      const std::string v = lower_trim(value);
      if (v != "utf-8" && v != "us-ascii") return false;
    }
  }
}

bool accept_allows_xml(std::string_view accept) {
  std::string_view rest = accept;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string t = media_type(rest.substr(0, comma));
    if (t == "*/*" || t == "application/*" || t == "text/*" || is_xml_media_type(t)) return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

Version guess_version(const TaxiiHeaders& h) {
  if (h.x_content_type) {
    if (const auto* b = xml::find_binding(trim(*h.x_content_type))) return b->version();
  }
  if (h.x_services && trim(*h.x_services) == urn::kServices10) return Version::V10;
  return Version::V11;
}

namespace {

// HTTP 1.0 §2.1.3 and §2.1.1: whether the client accepts an answer in binding_id (XML).
std::optional<Error> accept_problem(const TaxiiHeaders& h, const std::string& binding_id) {
  // HTTP 1.0 §2.1.3: the bindings the client accepts, most preferred first.
  if (h.x_accept && !trim(*h.x_accept).empty()) {
    const auto accepted = split_binding_list(*h.x_accept);
    if (std::find(accepted.begin(), accepted.end(), binding_id) == accepted.end()) {
      Error e{StatusType::UnsupportedMessage, "X-TAXII-Accept does not list " + binding_id +
                                                  ", the only binding this server can answer this request in"};
      e.with_detail(std::string(detail_name::kSupportedBinding), binding_id);
      return e;
    }
  }
  // HTTP 1.0 §2.1.1: Accept, if present, must allow the XML media type.
  if (h.accept && !trim(*h.accept).empty() && !accept_allows_xml(*h.accept)) {
    Error e{StatusType::UnsupportedMessage, "Accept " + trim(*h.accept) + " excludes application/xml"};
    e.with_detail(std::string(detail_name::kSupportedBinding), binding_id);
    return e;
  }
  return std::nullopt;
}

}  // namespace

HeaderCheck check_headers(const TaxiiHeaders& h, bool tls, HeaderMode mode) {
  HeaderCheck out;
  out.answer_version = guess_version(h);
  const bool strict = mode == HeaderMode::Strict;
  auto fail = [&](Error e) {
    out.error = std::move(e);
    return out;
  };
  auto given = [](const std::optional<std::string>& v) { return v && !trim(*v).empty(); };

  // HTTP 1.0 §2.1.4: X-TAXII-Content-Type names the message binding of the body.
  if (!given(h.x_content_type))
    return fail(unsupported_binding("X-TAXII-Content-Type is missing; it must name the message binding of the body"));
  const std::string binding_id = trim(*h.x_content_type);
  const xml::MessageBinding* binding = xml::find_binding(binding_id);
  if (binding == nullptr)
    return fail(unsupported_binding("message binding " + binding_id + " (X-TAXII-Content-Type) is not supported"));
  out.binding = binding;
  out.answer_version = binding->version();

  // HTTP 1.0 §2.1.2: the media type of the body, which must agree with the binding (xml).
  if (!given(h.content_type)) {
    if (strict)
      return fail(unsupported_binding("Content-Type is missing; send application/xml with " + binding_id));
  } else if (!is_xml_media_type(*h.content_type)) {
    return fail(unsupported_binding("Content-Type " + trim(*h.content_type) + " does not agree with " + binding_id +
                                    "; send application/xml"));
  } else if (!utf8_charset(*h.content_type)) {
    // The body is read as UTF-8 whatever is declared: another charset would be read two ways.
    return fail(unsupported_binding("Content-Type " + trim(*h.content_type) +
                                    ": the only charsets accepted are utf-8 and us-ascii"));
  }

  // HTTP 1.0 §2.1.6: the services version the message conforms to.
  const std::string_view expected_services = services_of(binding->version());
  if (!given(h.x_services)) {
    if (strict)
      return fail(Error::bad_message("X-TAXII-Services is missing; it must name the services version (" +
                                     std::string(expected_services) + " with " + binding_id + ")"));
  } else {
    const std::string sv = trim(*h.x_services);
    if (sv != expected_services) {
      if (sv != urn::kServices10 && sv != urn::kServices11)
        return fail(Error::bad_message("X-TAXII-Services " + sv + " is not a TAXII services version (expected " +
                                       std::string(expected_services) + ")"));
      return fail(Error::bad_message("X-TAXII-Services " + sv + " does not match X-TAXII-Content-Type " + binding_id));
    }
  }

  // HTTP 1.0 §2.1.5: the protocol binding must agree with the transport.
  const std::string_view transport = tls ? urn::kProtocolHttps : urn::kProtocolHttp;
  auto unsupported_protocol = [&](std::string message) {
    Error u{StatusType::UnsupportedProtocol, std::move(message)};
    u.with_detail(std::string(detail_name::kSupportedProtocol), std::string(transport));
    return fail(u);
  };
  if (!given(h.x_protocol)) {
    if (strict)
      return unsupported_protocol("X-TAXII-Protocol is missing; it must name the protocol binding (" +
                                  std::string(transport) + " for this connection)");
  } else {
    const std::string p = trim(*h.x_protocol);
    if (p != urn::kProtocolHttp && p != urn::kProtocolHttps)
      return unsupported_protocol("protocol binding " + p + " (X-TAXII-Protocol) is not supported");
    if (p == urn::kProtocolHttps && !tls)
      return unsupported_protocol("X-TAXII-Protocol says HTTPS but the request came over plain HTTP");
  }

  if (std::optional<Error> e = accept_problem(h, binding_id)) return fail(std::move(*e));
  return out;
}

}  // namespace taxii::http
