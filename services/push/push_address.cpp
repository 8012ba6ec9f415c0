#include "services/push/push_address.hpp"

#include <cctype>

#include "core/urn.hpp"

namespace taxii::services {
namespace {

Error unsupported_protocol(std::string message) {
  Error e{StatusType::UnsupportedProtocol, std::move(message)};
  e.with_detail(std::string(detail_name::kSupportedProtocol), std::string(urn::kProtocolHttp));
  e.with_detail(std::string(detail_name::kSupportedProtocol), std::string(urn::kProtocolHttps));
  return e;
}

bool lower_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

}  // namespace

Result<PushAddress> parse_push_address(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return Error::bad_message("the address \"" + std::string(url) + "\" is not an absolute http(s) URL: " + why);
  };
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("it holds spaces or control characters");
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return bad("no scheme");
  const std::string_view scheme = url.substr(0, colon);
  PushAddress a;
  if (lower_equals(scheme, "https")) a.https = true;
  else if (!lower_equals(scheme, "http"))
    return unsupported_protocol("the address uses the scheme \"" + std::string(scheme) +
                                "\"; taxiid pushes over http and https only");
  std::string_view rest = url.substr(colon + 3);
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  a.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!a.target.empty() && a.target[0] != '/') a.target = "/" + a.target;
  if (const std::size_t hash = a.target.find('#'); hash != std::string::npos) a.target.resize(hash);
  if (authority.find('@') != std::string_view::npos) return bad("user information is not supported");
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    a.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return bad("junk after the IPv6 literal");
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t pc = authority.rfind(':');
    a.host = std::string(authority.substr(0, pc));
    if (pc != std::string_view::npos) port = authority.substr(pc + 1);
  }
  if (a.host.empty()) return bad("no host");
  a.port = a.https ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return bad("bad port");
    const unsigned long p = std::stoul(std::string(port));
    if (p == 0 || p > 65535) return bad("bad port");
    a.port = static_cast<uint16_t>(p);
  }
  return a;
}

Result<PushAddress> check_push_parameters(const v11::PushParameters& p, bool data_set, std::string_view element) {
  const std::string where(element);
  const bool https = p.protocol_binding == urn::kProtocolHttps;
  if (!https && p.protocol_binding != urn::kProtocolHttp)
    return unsupported_protocol(where + ": protocol binding " + p.protocol_binding + " is not supported");
  const bool v10 = p.message_binding == urn::kMessageXml10;
  if ((v10 && data_set) || (!v10 && p.message_binding != urn::kMessageXml11)) {
    Error e{StatusType::UnsupportedMessage,
            where + ": message binding " + p.message_binding +
                (v10 ? " cannot carry a Data Set's content (TAXII 1.0 has Data Feeds only)" : " is not supported")};
    e.with_detail(std::string(detail_name::kSupportedBinding), std::string(urn::kMessageXml11));
    if (!data_set) e.with_detail(std::string(detail_name::kSupportedBinding), std::string(urn::kMessageXml10));
    return e;
  }
  auto a = parse_push_address(p.address);
  if (!a.ok()) {
    Error e = a.error();
    if (e.type() == StatusType::BadMessage) return Error::bad_message(where + ": " + e.message());
    return unsupported_protocol(where + ": " + e.message());
  }
  if (a->https != https)
    return unsupported_protocol(where + ": the address " + p.address + " does not match the protocol binding " +
                                p.protocol_binding);
  return a;
}

}  // namespace taxii::services
