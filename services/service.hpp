// Service: one TAXII service type behind one endpoint path (Services 1.1 §2.1): Discovery,
// Collection Management, Inbox, Poll. A service sees only TAXII 1.1 core::Message values
// (1.0 requests are bridged to 1.1 by the Dispatcher before they get here) and a
// RequestContext; it knows nothing about HTTP or XML.
//
// Errors come back as values (Result); only the Dispatcher turns them into Status_Messages
// and fills in_response_to, so a service returns either its response message (e.g. a
// Poll_Response) or an Error. The Inbox service returns a Status_Message of type SUCCESS,
// the one place where success is a status (Services 1.1 §3.2).
//
// Implementations are thread-safe: one instance serves every worker thread at once.
#pragma once

#include <optional>
#include <string>

#include "auth/identity.hpp"
#include "core/message.hpp"
#include "core/model_common.hpp"
#include "core/result.hpp"

namespace taxii::services {

// What a service may know about the request besides the message itself.
struct RequestContext {
  // The requester's name: the authenticated user (issue #7), or, when the server runs
  // without an `auth:` section, the verified client certificate subject if any. Subscriptions
  // are owned by it.
  std::string identity;
  // Who authentication says sent the request (anonymous if no credentials were offered).
  auth::Identity who;
  // Set when credentials were offered but refused (UNAUTHORIZED; the Dispatcher answers it
  // before anything else, Services 1.1 §4.4.6 rule 1).
  std::optional<Error> auth_error;
  // The protocol binding the request came over: urn::kProtocolHttp or urn::kProtocolHttps.
  std::string protocol_binding;
  // The version the client speaks. Services answer in 1.1; the Dispatcher bridges to 1.0,
  // but some answers differ by version (e.g. which service instances Discovery lists).
  Version requested_version = Version::V11;
  // For log lines only.
  std::string request_id;
};

class Service {
 public:
  virtual ~Service() = default;
  virtual ServiceType type() const = 0;
  // REQUIRES: version_of(request) == V11 and the Dispatcher checked that the message type
  // suits this service type (accepts()).
  virtual Result<Message> handle(const Message& request, const RequestContext& ctx) = 0;
};

// True if a request of this message type may be sent to a service of this type
// (Services 1.1 §3, Services 1.1 §3 table). Only TAXII 1.1 request types are considered.
bool accepts(ServiceType service, const Message& request);

}  // namespace taxii::services
