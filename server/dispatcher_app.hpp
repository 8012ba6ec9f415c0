// DispatcherApp: the TAXII application the HTTP binding serves (http::TaxiiApplication over
// services::Dispatcher). With an authenticator (an `auth:` section), admit() authenticates the
// request from its head, before the body is read, and refuses (UNAUTHORIZED) what cannot go on:
// credentials offered and refused, or none where the service at the path cannot be used
// anonymously (Dispatcher::admit; docs/security.md). The Dispatcher then enforces access on the
// parsed message. Without an authenticator, the identity is the client certificate subject.
//
// Thread-safe (the Dispatcher and the Authenticator are).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "bindings/http/taxii_handler.hpp"
#include "services/dispatcher.hpp"

namespace taxii::server {

class DispatcherApp final : public http::TaxiiApplication {
 public:
  // authenticator may be null (no `auth:` section).
  DispatcherApp(services::Dispatcher& d, auth::Authenticator* authenticator) : d_(d), auth_(authenticator) {}
  bool has_path(std::string_view path) const override { return d_.has_path(path); }
  std::optional<Error> admit(std::string_view path, http::RequestInfo& info) override;
  Message handle(std::string_view path, const Message& request, const http::RequestInfo& info) override;
  Message status(const Error& e, Version v, const std::string& in_response_to) override {
    return d_.status_message(e, v, in_response_to);
  }

 private:
  services::RequestContext context(const http::RequestInfo& info) const;

  services::Dispatcher& d_;
  auth::Authenticator* auth_;
};

}  // namespace taxii::server
