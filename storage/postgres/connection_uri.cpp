#include "storage/postgres/connection_uri.hpp"

#include <cctype>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace taxii::storage {
namespace {

Error uri_error(const std::string& what) { return Error::failure("PostgreSQL store URI: " + what); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding (RFC 3986 §2.1); nullopt on a broken escape or an encoded NUL.
std::optional<std::string> decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// What Poco's "key=value key=value" parser and libpq's unquoted values can carry.
bool passable(std::string_view v) {
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || std::iscntrl(u) || c == '\'' || c == '\\') return false;
  }
  return true;
}

bool keyword_ok(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!(std::islower(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

struct HostPort {
  std::string host;
  std::string port;
};

// "h1:5432,[::1]:5433,h3" -> {h1,5432} {::1,5433} {h3,""}; nullopt if malformed.
std::optional<std::vector<HostPort>> split_hosts(std::string_view spec) {
  std::vector<HostPort> out;
  if (spec.empty()) return out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t end = spec.find(',', start);
    if (end == std::string_view::npos) end = spec.size();
    const std::string_view item = spec.substr(start, end - start);
    HostPort hp;
    std::string_view port;
    if (!item.empty() && item[0] == '[') {
      const std::size_t close = item.find(']');
      if (close == std::string_view::npos) return std::nullopt;
      auto host = decode(item.substr(1, close - 1));
      if (!host) return std::nullopt;
      hp.host = *host;
      const std::string_view rest = item.substr(close + 1);
      if (!rest.empty()) {
        if (rest[0] != ':') return std::nullopt;
        port = rest.substr(1);
      }
    } else {
      const std::size_t colon = item.find(':');
      auto host = decode(item.substr(0, colon));
      if (!host) return std::nullopt;
      hp.host = *host;
      if (colon != std::string_view::npos) port = item.substr(colon + 1);
    }
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    hp.port = std::string(port);
    out.push_back(std::move(hp));
    if (end == spec.size()) break;
    start = end + 1;
  }
  return out;
}

using Keywords = std::map<std::string, std::string>;  // keyword -> value (decoded)

// userinfo "user[:password]" (the last '@' ends it: a literal '@' in a password must be %40
// anyway); `shown` gets the user name as written, for the redacted URI.
std::optional<Error> add_userinfo(std::string_view userinfo, Keywords& kv, std::string& shown) {
  const std::size_t colon = userinfo.find(':');
  auto user = decode(userinfo.substr(0, colon));
  if (!user) return uri_error("bad percent-encoding in the user name");
  if (!user->empty()) kv["user"] = *user;
  shown = std::string(userinfo.substr(0, colon));
  if (colon == std::string_view::npos) return std::nullopt;
  auto password = decode(userinfo.substr(colon + 1));
  if (!password) return uri_error("bad percent-encoding in the password");
  if (!password->empty()) kv["password"] = *password;
  return std::nullopt;
}

std::optional<Error> add_hosts(std::string_view hostspec, Keywords& kv) {
  auto hosts = split_hosts(hostspec);
  if (!hosts) return uri_error("malformed host list (host[:port][,host[:port]...])");
  if (hosts->empty()) return std::nullopt;
  std::string host_list;
  std::string port_list;
  bool any_port = false;
  bool any_host = false;
  for (std::size_t i = 0; i < hosts->size(); ++i) {
    if (i > 0) {
      host_list += ',';
      port_list += ',';
    }
    host_list += (*hosts)[i].host;
    any_host = any_host || !(*hosts)[i].host.empty();
    // libpq wants one port per host, or a single one for all of them.
    port_list += (*hosts)[i].port.empty() ? "5432" : (*hosts)[i].port;
    any_port = any_port || !(*hosts)[i].port.empty();
  }
  if (any_host) kv["host"] = host_list;
  if (any_port) kv["port"] = hosts->size() == 1 ? (*hosts)[0].port : port_list;
  return std::nullopt;
}

// "keyword=value&..." passed through as libpq keywords; an empty value removes the keyword.
std::optional<Error> add_query(std::string_view query, Keywords& kv) {
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view item = query.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return uri_error("query parameter without '='");
    auto key = decode(item.substr(0, eq));
    auto value = decode(item.substr(eq + 1));
    if (!key || !keyword_ok(*key)) return uri_error("bad query parameter name");
    if (!value) return uri_error("bad percent-encoding in the value of " + *key);
    if (value->empty()) kv.erase(*key);
    else kv[*key] = *value;
  }
  return std::nullopt;
}

Result<std::string> to_conninfo(const Keywords& kv) {
  std::string out;
  for (const auto& [key, value] : kv) {
    if (!passable(value))
      return uri_error(key == "password"
                           ? std::string("the password holds whitespace, a quote or a backslash, "
                                         "which the connector cannot pass; leave it out of the "
                                         "URI and put it in a password file (PGPASSFILE)")
                           : "the value of " + key +
                                 " holds whitespace, a quote or a backslash, which the "
                                 "connector cannot pass");
    if (!out.empty()) out += ' ';
    out += key + "=" + value;
  }
  return out;
}

}  // namespace

Result<PostgresConnection> parse_postgres_uri(std::string_view uri) {
  std::string_view rest;
  std::string scheme;
  for (std::string_view prefix : {"postgresql://", "postgres://"}) {
    if (uri.substr(0, prefix.size()) == prefix) {
      rest = uri.substr(prefix.size());
      scheme = std::string(prefix);
    }
  }
  if (scheme.empty())
    return uri_error("expected postgresql://[user[:password]@][host][:port][/dbname][?keyword=value&...]");

  Keywords kv;
  const std::size_t query_at = rest.find('?');
  const std::string_view query = query_at == std::string_view::npos ? std::string_view() : rest.substr(query_at + 1);
  rest = rest.substr(0, query_at);
  const std::size_t path_at = rest.find('/');
  const std::string_view authority = rest.substr(0, path_at);
  const std::string_view path = path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at + 1);
  std::string_view hostspec = authority;
  std::string user_shown;
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    hostspec = authority.substr(at + 1);
    if (auto e = add_userinfo(authority.substr(0, at), kv, user_shown)) return *e;
  }
  if (auto e = add_hosts(hostspec, kv)) return *e;
  if (!path.empty()) {
    auto db = decode(path);
    if (!db) return uri_error("bad percent-encoding in the database name");
    kv["dbname"] = *db;
  }
  if (auto e = add_query(query, kv)) return *e;
  kv.emplace("connect_timeout", "10");
  kv.emplace("fallback_application_name", "taxii");

  auto conninfo = to_conninfo(kv);
  if (!conninfo.ok()) return conninfo.error();
  PostgresConnection out;
  out.conninfo = std::move(conninfo).value();
  out.redacted = scheme + (user_shown.empty() ? "" : user_shown + "@") + std::string(hostspec) + "/" +
                 std::string(path);
  return out;
}

}  // namespace taxii::storage
