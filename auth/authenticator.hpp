// Authenticator: turns a request's credentials into an Identity (docs/security.md).
//
// - HTTP Basic (RFC 7617) against accounts (PBKDF2 hashes, password.hpp). Accepted only
//   over HTTPS unless allow_basic_over_http: HTTP 1.0 §6.2 strongly discourages sending
//   credentials in the clear; a Basic header over plain HTTP is answered UNAUTHORIZED.
// - API tokens (issue #22; token.hpp): `Authorization: Bearer <token>` (RFC 6750 §2.1) is the
//   account the token belongs to, with its groups; a token of an account that no longer exists
//   logs no one in. Like Basic, over HTTPS only unless allow_basic_over_http (the token is a
//   credential in the clear too). A refused token costs one token of the remote address' bucket
//   (there is no user name to charge), as a wrong password does.
// - TLS client certificates (HTTP 1.0 §6.2, mutual authentication): the verified subject is
//   mapped to an account, by an explicit subject -> user table or by its CN.
// - No credentials: the anonymous identity (authorization decides what it may do).
//
// Brute force: every failed login costs one token from a bucket per remote address and one
// per user name; with either bucket empty a login is refused at once, without running
// PBKDF2, so guessing cannot burn CPU. Successful verifications are cached for cache_ttl,
// keyed by SHA-256 of the Authorization value, so keep-alive clients pay PBKDF2 once. A cache
// hit is honoured only while the account still holds the very hash it was verified against:
// every hit looks the account up again (one indexed store read, no PBKDF2), so `taxiid user
// passwd` or `del` takes effect on the next request, and group changes are seen at once.
// Failures are reported to the log callback (user, remote, reason; never the password).
//
// Thread-safe: authenticate() may run on every worker at once (one mutex for the tables).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/identity.hpp"
#include "auth/password.hpp"
#include "core/result.hpp"

namespace taxii::auth {

struct Account {
  std::string user;
  PasswordHash hash;
  std::vector<std::string> groups;
};

// Where accounts come from (configuration seeds; the Store). Thread-safe.
class AccountSource {
 public:
  virtual ~AccountSource() = default;
  virtual std::optional<Account> find(std::string_view user) const = 0;
  // The user name an API token belongs to, by the token's token_hash(); none by default.
  virtual std::optional<std::string> token_owner(std::string_view /*hash*/) const { return std::nullopt; }
};

class StaticAccounts final : public AccountSource {
 public:
  explicit StaticAccounts(std::vector<Account> accounts);
  std::optional<Account> find(std::string_view user) const override;

 private:
  std::map<std::string, Account, std::less<>> accounts_;
};

enum class CertificateMode { Off, Map, Cn };

// One of subject / san is set.
struct CertificateMapping {
  std::string subject;  // "CN=alice,O=Example" (RDN order does not matter)
  std::string user;
  std::string san;      // a DNS subjectAltName, e.g. "feed.example.org"
};

struct AuthOptions {
  bool allow_basic_over_http = false;
  CertificateMode certificates = CertificateMode::Off;
  std::vector<CertificateMapping> certificate_map;
  std::chrono::seconds cache_ttl{60};
  std::size_t cache_entries = 10000;
  // Token buckets for failed logins: `burst` failures at once, then one per `refill`.
  double burst = 10;
  std::chrono::milliseconds refill{6000};
  // PBKDF2 iterations spent on an unknown user's password, so that timing does not tell
  // unknown users from wrong passwords: keep it the cost of the accounts' hashes (tests and
  // the fuzz target lower both).
  uint32_t unknown_user_iterations = kDefaultIterations;
};

struct Credentials {
  std::string authorization;   // the Authorization header value; empty if absent
  bool https = false;
  std::string client_subject;  // verified client certificate subject; empty if none
  std::string remote;          // "ip:port"
  std::vector<std::string> client_names;  // the certificate's DNS subjectAltNames
};

struct AuthResult {
  Identity identity;            // anonymous when no credentials were offered
  std::optional<Error> error;   // Unauthorized: credentials offered but not accepted
};

class Authenticator {
 public:
  using Clock = std::chrono::steady_clock;
  using FailureLog = std::function<void(const std::string& user, const std::string& remote, const std::string& why)>;

  Authenticator(const AccountSource& accounts, AuthOptions options, FailureLog log = {});

  AuthResult authenticate(const Credentials& c, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  struct Cached {
    std::string user;
    PasswordHash hash;  // the account's hash when the password was verified
    Clock::time_point expires;
  };

  AuthResult basic(const Credentials& c, Clock::time_point now);
  AuthResult bearer(const Credentials& c, Clock::time_point now);
  AuthResult certificate(const Credentials& c);
  AuthResult fail(const std::string& user, const std::string& remote, const std::string& why);
  bool has_token(std::unordered_map<std::string, Bucket>& m, const std::string& key, Clock::time_point now);
  void take_token(std::unordered_map<std::string, Bucket>& m, const std::string& key, Clock::time_point now);

  const AccountSource& accounts_;
  AuthOptions options_;
  FailureLog log_;
  PasswordHash dummy_;  // verified against for unknown users, so timing does not tell
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> by_remote_;
  std::unordered_map<std::string, Bucket> by_user_;
  std::unordered_map<std::string, Cached> cache_;
};

// "ip" of "ip:port" or "[v6]:port".
std::string remote_host(std::string_view remote);
// Distinguished-name components, trimmed and sorted, from "/C=US/CN=a" or "CN=a, C=US".
std::vector<std::string> dn_components(std::string_view dn);
// The CN value of a subject, or "".
std::string common_name(std::string_view dn);

}  // namespace taxii::auth
