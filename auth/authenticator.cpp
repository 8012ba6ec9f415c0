#include "auth/authenticator.hpp"

#include <algorithm>
#include <cctype>

#include <openssl/sha.h>

#include "auth/token.hpp"

namespace taxii::auth {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string sha256(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// The user name for log lines: printable ASCII only, bounded (it came from the client).
std::string loggable(std::string_view user) {
  std::string out;
  for (char ch : user.substr(0, 64)) out += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
  return out;
}

bool same_hash(const PasswordHash& a, const PasswordHash& b) {
  return a.iterations == b.iterations && a.salt == b.salt && a.key == b.key;
}

}  // namespace

StaticAccounts::StaticAccounts(std::vector<Account> accounts) {
  for (auto& a : accounts) accounts_.emplace(a.user, std::move(a));
}

std::optional<Account> StaticAccounts::find(std::string_view user) const {
  const auto it = accounts_.find(user);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

std::string remote_host(std::string_view remote) {
  if (!remote.empty() && remote.front() == '[') {
    const auto e = remote.find(']');
    return std::string(remote.substr(1, e == std::string_view::npos ? std::string_view::npos : e - 1));
  }
  const auto c = remote.rfind(':');
  return std::string(c == std::string_view::npos ? remote : remote.substr(0, c));
}

std::vector<std::string> dn_components(std::string_view dn) {
  std::vector<std::string> out;
  const char sep = !dn.empty() && dn.front() == '/' ? '/' : ',';
  std::size_t start = 0;
  while (start <= dn.size()) {
    const auto end = dn.find(sep, start);
    std::string part = trim(dn.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!part.empty()) {
      const auto eq = part.find('=');
      if (eq != std::string::npos) {
        std::string k = trim(std::string_view(part).substr(0, eq));
        for (char& ch : k) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        part = k + "=" + trim(std::string_view(part).substr(eq + 1));
      }
      out.push_back(std::move(part));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string common_name(std::string_view dn) {
  for (const auto& c : dn_components(dn))
    if (c.rfind("CN=", 0) == 0) return c.substr(3);
  return {};
}

Authenticator::Authenticator(const AccountSource& accounts, AuthOptions options, FailureLog log)
    : accounts_(accounts), options_(std::move(options)), log_(std::move(log)) {
  dummy_.iterations = options_.unknown_user_iterations;
  dummy_.salt = std::string(16, 's');
  dummy_.key = std::string(32, 'k');
}

AuthResult Authenticator::fail(const std::string& user, const std::string& remote, const std::string& why) {
  if (log_) log_(loggable(user), remote, why);
  AuthResult r;
  r.error = Error::unauthorized(why);
  return r;
}

bool Authenticator::has_token(std::unordered_map<std::string, Bucket>& m, const std::string& key,
                              Clock::time_point now) {
  const auto it = m.find(key);
  if (it == m.end()) return true;
  const double refilled = std::chrono::duration<double>(now - it->second.at) /
                          std::chrono::duration<double>(options_.refill);
  return std::min(options_.burst, it->second.tokens + refilled) >= 1.0;
}

void Authenticator::take_token(std::unordered_map<std::string, Bucket>& m, const std::string& key,
                               Clock::time_point now) {
  // Bounded: buckets that have refilled completely carry no information; drop them.
  if (m.size() > 100000) {
    for (auto it = m.begin(); it != m.end();)
      it = has_token(m, it->first, now - options_.refill * static_cast<long>(options_.burst)) ? m.erase(it)
                                                                                                : std::next(it);
  }
  auto [it, fresh] = m.try_emplace(key, Bucket{options_.burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double refilled = std::chrono::duration<double>(now - b.at) / std::chrono::duration<double>(options_.refill);
    b.tokens = std::min(options_.burst, b.tokens + refilled);
    b.at = now;
  }
  b.tokens = std::max(0.0, b.tokens - 1.0);
}

AuthResult Authenticator::authenticate(const Credentials& c, Clock::time_point now) {
  if (iequals_prefix(c.authorization, "Bearer ")) return bearer(c, now);
  if (!c.authorization.empty()) return basic(c, now);
  if (!c.client_subject.empty() && options_.certificates != CertificateMode::Off) return certificate(c);
  return AuthResult{};
}

AuthResult Authenticator::certificate(const Credentials& c) {
  std::string user;
  if (options_.certificates == CertificateMode::Cn) {
    user = common_name(c.client_subject);
  } else {
    const auto want = dn_components(c.client_subject);
    for (const auto& m : options_.certificate_map) {
      const bool by_san = !m.san.empty() &&
                          std::find(c.client_names.begin(), c.client_names.end(), m.san) != c.client_names.end();
      const bool by_subject = !m.subject.empty() && dn_components(m.subject) == want;
      if (by_san || by_subject) {
        user = m.user;
        break;
      }
    }
  }
  if (user.empty()) return fail("-", c.remote, "the client certificate is not mapped to an account");
  auto account = accounts_.find(user);
  if (!account) return fail(user, c.remote, "the client certificate names an unknown account");
  AuthResult r;
  r.identity = {account->user, account->groups, AuthMethod::ClientCertificate};
  return r;
}

AuthResult Authenticator::bearer(const Credentials& c, Clock::time_point now) {
  const std::string remote = remote_host(c.remote);
  if (!c.https && !options_.allow_basic_over_http)
    return fail("-", c.remote, "bearer tokens are accepted over HTTPS only");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!has_token(by_remote_, remote, now)) return fail("-", c.remote, "too many failed logins; try again later");
  }
  // RFC 6750 §2.1: "Bearer" 1*SP b64token; ours have one form (token.hpp), anything else is
  // refused without asking the store.
  const std::string token = trim(std::string_view(c.authorization).substr(7));
  std::optional<Account> account;
  if (looks_like_token(token))
    if (const auto user = accounts_.token_owner(token_hash(token))) account = accounts_.find(*user);
  if (!account) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      take_token(by_remote_, remote, now);
    }
    return fail("-", c.remote, "invalid or revoked API token");
  }
  AuthResult r;
  r.identity = {account->user, account->groups, AuthMethod::Bearer};
  return r;
}

AuthResult Authenticator::basic(const Credentials& c, Clock::time_point now) {
  const std::string remote = remote_host(c.remote);
  if (!iequals_prefix(c.authorization, "Basic ")) return fail("-", c.remote, "unsupported authentication scheme");
  // HTTP 1.0 §6.2: credentials in clear text are refused unless explicitly allowed.
  if (!c.https && !options_.allow_basic_over_http)
    return fail("-", c.remote, "HTTP Basic authentication is accepted over HTTPS only");
  const std::string key = sha256(c.authorization);
  std::optional<Cached> hit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (it->second.expires > now) hit = it->second;
      else cache_.erase(it);
    }
  }
  if (hit) {
    // Valid only while the account keeps the hash the password was checked against: a
    // password changed or an account deleted (`taxiid user passwd|del`, another process)
    // ends the cached login at once. The look-up runs outside the lock.
    const auto account = accounts_.find(hit->user);
    if (account && same_hash(account->hash, hit->hash)) {
      AuthResult r;
      r.identity = {account->user, account->groups, AuthMethod::Basic};
      return r;
    }
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(key);
  }
  auto decoded = base64_decode(trim(std::string_view(c.authorization).substr(6)));
  const std::size_t colon = decoded.ok() ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return fail("-", c.remote, "malformed Basic credentials");
  const std::string user = decoded->substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!has_token(by_remote_, remote, now) || !has_token(by_user_, user, now))
      return fail(user, c.remote, "too many failed logins; try again later");
  }
  const auto account = accounts_.find(user);
  const bool ok = verify_password(password, account ? account->hash : dummy_) && account.has_value();
  if (!ok) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      take_token(by_remote_, remote, now);
      take_token(by_user_, user, now);
    }
    return fail(user, c.remote, "invalid user name or password");
  }
  AuthResult r;
  r.identity = {account->user, account->groups, AuthMethod::Basic};
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= options_.cache_entries) cache_.clear();  // crude but bounded
  cache_[key] = {account->user, account->hash, now + options_.cache_ttl};
  return r;
}

}  // namespace taxii::auth
