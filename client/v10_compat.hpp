// Talking to TAXII 1.0 servers. The Session builds every request in the 1.1 model and works on
// 1.1-shaped responses; these functions translate at the edge (PROTOCOL.md §10.1):
// 1.1 requests -> 1.0 requests (Collection_Information_Request -> Feed_Information_Request,
// collection -> feed, ...) and 1.0 responses -> 1.1 shapes (Feed_Information_Response ->
// Collection_Information_Response, 1.0 Status_Detail strings -> 1.1 details).
//
// Decisions (where the specifications are silent, matching bindings/xml/bridge.hpp):
// - 1.0 Inclusive_Begin B reads as 1.1 Exclusive_Begin B - 1 µs (labels have µs resolution).
// - A 1.0 RETRY detail (an RFC 3339 "retry at" time) becomes ESTIMATED_WAIT = seconds from
//   now (at least 0); UNSUPPORTED_MESSAGE/_CONTENT/_PROTOCOL space-separated lists become one
//   SUPPORTED_BINDING/_CONTENT/_PROTOCOL detail per ID; other details stay as STATUS_DETAIL.
// - What 1.0 cannot say fails locally (Local origin) instead of being dropped silently:
//   PAUSE/RESUME, COUNT_ONLY, queries, asynchronous polls, Poll_Fulfillment, destination
//   collections, content-binding subtypes.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::client {

// A 1.1 request as the equivalent 1.0 request.
Result<Message> request_to_v10(const Message& v11_request);
// A 1.0 response in the 1.1 model; 1.1 messages are returned unchanged (moved, not copied:
// a Poll_Response part holds megabytes of content).
Result<Message> response_to_v11(Message response);

// A 1.0 Subscription_Management_Response states no subscription status (XML 1.0 §3.7, PROTOCOL.md
// §10.2): response_to_v11() leaves the 1.1 default ACTIVE. This sets what the answered request
// implies: UNSUBSCRIBE -> UNSUBSCRIBED; SUBSCRIBE and STATUS -> ACTIVE (TAXII 1.0 has no paused
// subscriptions; a 1.0 client sees every existing one as active). A 1.0 STATUS carries no ID
// (XML 1.0 §3.6: it lists all of the requester's subscriptions), so with `id` the answer is
// narrowed to that subscription (none if the server does not list it).
void complete_v10_subscription_response(v11::SubscriptionAction action, const std::optional<std::string>& id,
                                        v11::ManageCollectionSubscriptionResponse& response);

}  // namespace taxii::client
