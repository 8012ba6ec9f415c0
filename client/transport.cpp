#include "client/transport.hpp"

#include <cctype>

namespace taxii::client {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

void Headers::set(std::string name, std::string value) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& f : fields_)
    if (!iequals(f.first, name)) kept.push_back(std::move(f));
  fields_ = std::move(kept);
  add(std::move(name), std::move(value));
}

const std::string* Headers::find(std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.first, name)) return &f.second;
  return nullptr;
}

std::string Url::str() const {
  std::string out = scheme + "://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  out += target;
  return out;
}

std::string Url::authority() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  const auto bad = [&text](const std::string& why) {
    return Error::bad_message("'" + std::string(text) + "' is not an http(s) URL: " + why);
  };
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  Url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return bad("scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  u.target = target.empty() || target[0] != '/' ? "/" + std::string(target) : std::string(target);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
    return bad("credentials in the URL are not used; pass --user/--password");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after the IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  u.port = default_port(u.scheme);
  if (!port_text.empty()) {
    unsigned long p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || p > 65535) return bad("bad port");
      p = p * 10 + static_cast<unsigned long>(c - '0');
    }
    if (p == 0 || p > 65535) return bad("bad port");
    u.port = static_cast<uint16_t>(p);
  }
  return u;
}

Result<Url> resolve_url(const Url& base, std::string_view address) {
  if (address.find("://") != std::string_view::npos) return parse_url(address);
  if (address.empty()) return base;
  Url u = base;
  if (address[0] == '/') {
    u.target = std::string(address);
  } else {
    // Relative path: replace the last segment of the base path.
    const size_t last = base.target.find_last_of('/', base.target.find('?'));
    u.target = base.target.substr(0, last == std::string::npos ? 0 : last + 1) + std::string(address);
  }
  return u;
}

}  // namespace taxii::client
