// Dispatcher: maps an endpoint path to its Service, checks that the request suits the
// service, bridges TAXII 1.0 requests to 1.1 and the 1.1 answers back to 1.0, and turns every
// Error into a Status_Message. It is the only place that formats Status_Messages (docs/design.md),
// including those for errors the protocol binding finds before a service runs.
//
// Decisions (docs/server.md):
// - A request type the service does not take (e.g. Poll_Request sent to Discovery) is
//   BAD_MESSAGE "Poll_Request is not accepted by the Discovery service": the message is
//   well-formed but cannot be interpreted here; UNSUPPORTED_MESSAGE is about message bindings.
// - A response message sent as a request (e.g. a Status_Message) is BAD_MESSAGE too.
// - Answers in 1.0 use the bridge; 1.1-only status types become FAILURE (bridge.hpp).
// - in_response_to is the request's message_id, or "0" when unknown (docs/spec-notes.md P12).
// - Access control (issue #7, docs/security.md), only once set_access() was called: refused
//   credentials are UNAUTHORIZED before any other check (Services 1.1 §4.4.6 rule 1); an
//   anonymous request the policy does not allow is UNAUTHORIZED (authenticate and retry),
//   an authenticated one DENIED. Poll_Request, Poll_Fulfillment and
//   Subscription_Management_Request need `read` on their collection, Inbox_Message `write`
//   on every destination (or, without destinations, on the inbox's default collections);
//   Collection_Information_Response lists only collections the requester may read.
//
// Thread-safe after wiring: add() is called before serving starts; dispatch() and
// status_message() are const and may run on many threads at once. Never throws.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.hpp"
#include "core/message.hpp"
#include "core/result.hpp"
#include "services/service.hpp"

namespace taxii::services {

class Dispatcher {
 public:
  using Logger = std::function<void(const std::string& request_id, const std::string& what)>;
  explicit Dispatcher(Logger log_error = {}) : log_error_(std::move(log_error)) {}

  // REQUIRES: before serving; path not added yet.
  void add(std::string path, std::shared_ptr<Service> service);
  bool has_path(std::string_view path) const;
  // REQUIRES: before serving. Turns access control on; inbox_defaults maps an inbox
  // service's path to its default collections.
  void set_access(std::shared_ptr<const auth::AccessPolicy> policy,
                  std::map<std::string, std::vector<std::string>, std::less<>> inbox_defaults);

  // Before the request body is read (issue #7): with access control on, the error to answer
  // from the head alone, or nullopt if the body may be read. Refused: credentials offered and
  // refused (ctx.auth_error), an anonymous request to a path with no service, or one to a
  // service no anonymous request could use (AccessPolicy::anonymous_may_use). The full check
  // on the parsed message still runs in dispatch().
  std::optional<Error> admit(std::string_view path, const RequestContext& ctx) const;

  // Answers one parsed request of either version: the service's response or a
  // Status_Message, always in the request's version, with a fresh message_id and
  // in_response_to = the request's message_id.
  Message dispatch(std::string_view path, const Message& request, const RequestContext& ctx) const;

  // A Status_Message in version v for an error found outside a service (bad headers,
  // unparseable body, ...). An empty in_response_to becomes "0".
  Message status_message(const Error& e, Version v, const std::string& in_response_to) const;

 private:
  // The access decision for a (1.1) request, before the service runs; nullopt = allowed.
  std::optional<Error> check_access(std::string_view path, const Service& service, const Message& request,
                                    const RequestContext& ctx) const;
  void filter_visible(Message& answer, const RequestContext& ctx) const;
  Message finish(Result<Message> answer, Version v, const std::string& in_response_to,
                 const std::string& request_id) const;

  std::map<std::string, std::shared_ptr<Service>, std::less<>> routes_;
  Logger log_error_;
  std::shared_ptr<const auth::AccessPolicy> access_;
  std::map<std::string, std::vector<std::string>, std::less<>> inbox_defaults_;
};

// "the Discovery service", for messages.
std::string service_title(ServiceType t);

}  // namespace taxii::services
