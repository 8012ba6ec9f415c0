// RestApplication: the TAXII 2.1 REST/JSON API (issue #22; docs/taxii21.md) behind taxiid's
// HTTP router (bindings/http/router.hpp), on the same listeners, accounts and store as TAXII
// 1.x. Every endpoint of TAXII 2.1 §4-§5 under the configured discovery prefix and API roots.
//
// One exchange, in this order (TAXII 2.1 §5.5's list, for every endpoint):
//   route (404: nothing there) -> method (405 + Allow) -> authenticate (401 + WWW-Authenticate)
//   -> resolve root / collection and check the rights (§2.4 of docs/taxii21.md: hidden ->
//   404, or 401 to an anonymous caller; visible without the right -> 403) -> Accept (406)
//   -> Content-Type (415) -> size (413) -> the endpoint.
// Every error is an `error` resource (§3.6.1) in application/taxii+json;version=2.1. The
// head-only steps also run in gate(), before the body is read: a request refused there never
// has its body read, and the connection closes.
//
// Thread-safety: immutable after construction except the store (thread-safe) and the cursor
// key (cursor_key.hpp); serve()/gate()/refusal() run on every worker at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.hpp"
#include "auth/authenticator.hpp"
#include "bindings/http/router.hpp"
#include "bindings/http/taxii_handler.hpp"
#include "core/clock.hpp"
#include "storage/objects.hpp"
#include "taxii21/config.hpp"
#include "taxii21/resources.hpp"
#include "taxii21/routes.hpp"

namespace taxii::taxii21 {

struct RestDeps {
  // Null: no auth: section; every collection is open to everyone (as for TAXII 1.x).
  auth::Authenticator* authenticator = nullptr;
  bool public_discovery = false;          // auth.public_discovery
  storage::ObjectStore* store = nullptr;  // REQUIRES: not null
  const Clock* clock = &SystemClock::instance();
  std::string cursor_key;                 // cursor_key.hpp
  std::function<void(const http::RequestLog&)> log;
};

// One request on its way through the steps above.
struct Call {
  const http::Request* request = nullptr;
  const http::ConnectionInfo* conn = nullptr;
  Target target;
  std::string_view query;                 // after "?", undecoded
  auth::Identity who;
  const CollectionConfig* collection = nullptr;
  bool can_read = false;
  bool can_write = false;
  std::string body;                       // POST: the request body
  http::RequestLog log;
};

class RestApplication final : public http::Application {
 public:
  RestApplication(Taxii2Config config, RestDeps deps);

  // The router prefixes this application answers under: the discovery prefix and each API
  // root (without their final "/", so that the slash-less forms reach it too).
  std::vector<std::string> prefixes() const;
  // The methods to register them with (others get the router's own 405).
  static std::vector<std::string> methods();

  // The answer to one request, without a socket (the body stream read up to the root's
  // max_content_length). Never throws.
  http::Answer answer(const http::Request& request, const http::ConnectionInfo& conn);

  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const http::ConnectionInfo& conn) override;
  bool gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
            const http::ConnectionInfo& conn) override;
  http::HttpServer::Refusal refusal(int status, std::string_view reason, const http::ConnectionInfo& conn) override;

  const Taxii2Config& config() const { return config_; }

 private:
  std::optional<http::Answer> head_checks(const http::Request& request, const http::ConnectionInfo& conn, Call& call);
  std::optional<Problem> authorize(Call& call) const;
  std::optional<Problem> resolve_collection(Call& call) const;
  std::optional<Problem> read_body(const http::Request& request, Call& call) const;
  http::Answer dispatch(Call& call);
  bool root_visible(const auth::Identity& who, const ApiRootConfig& root) const;
  http::Answer discovery(const Call& call) const;
  http::Answer collections(const Call& call) const;
  void emit(Call& call, const http::Answer& a, std::chrono::steady_clock::time_point start) const;

  Taxii2Config config_;
  RestDeps deps_;
  auth::AccessPolicy policy_;
  std::atomic<int64_t> last_sweep_{0};
};

// The answers every endpoint builds: JSON in the TAXII media type, or the error resource.
http::Answer json_answer(int status, std::string body);
http::Answer problem_answer(const Problem& p);

}  // namespace taxii::taxii21
