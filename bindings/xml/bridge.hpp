// The TAXII 1.0 <-> 1.1 bridge, the one place where the two versions are mapped onto each
// other, in both directions (docs/design.md):
// - server side (taxiid): 1.0 requests become 1.1 requests so services implement each rule
//   once, and 1.1 responses (and pushed Inbox_Messages) go back out as 1.0;
// - client side (`taxii --taxii 1.0`): 1.1 requests go out as 1.0, and 1.0 responses are read
//   in the 1.1 model (Feed_Information_Response -> Collection_Information_Response, 1.0
//   Status_Detail strings -> 1.1 details).
// Decisions where the specifications are silent (docs/decisions.md):
// - 1.1 Exclusive_Begin X is 1.0 Inclusive_Begin X + 1 µs, and back (labels have µs resolution).
// - 1.1-only status types become FAILURE in 1.0, with the 1.1 type named in the Message.
// - Status details, 1.1 -> 1.0: a space-separated list of the values for UNSUPPORTED_MESSAGE/
//   _CONTENT/_PROTOCOL; for RETRY, now + ESTIMATED_WAIT as an RFC 3339 timestamp (1.0 detail
//   semantics, Services 1.0 §3.4.1). 1.0 -> 1.1: one SUPPORTED_BINDING/_CONTENT/_PROTOCOL detail
//   per listed ID; a RETRY timestamp becomes ESTIMATED_WAIT = seconds from now (at least 0);
//   any other detail a STATUS_DETAIL.
// - What 1.0 cannot say in a request (PAUSE/RESUME, COUNT_ONLY, queries, asynchronous polls,
//   Poll_Fulfillment, destination collections, content-binding subtypes) fails with BadMessage
//   instead of being dropped silently.
// "Now" is read from the Clock passed in. Pure functions otherwise; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::xml {

// Server side.
// A 1.0 request as the 1.1 request services understand. BadMessage for 1.0 responses.
Result<Message> bridge_request_to_v11(const Message& v10_request);
// A 1.1 response (or Inbox_Message being pushed) expressed in TAXII 1.0.
// Fails (Failure) for messages with no 1.0 form (e.g. Poll_Fulfillment).
Result<Message> bridge_response_to_v10(const Message& v11_message, const Clock& clock = SystemClock::instance());

// Client side.
// A 1.1 request as the equivalent 1.0 request. Fails (BadMessage) for what 1.0 cannot say.
Result<Message> bridge_request_to_v10(const Message& v11_request);
// A 1.0 response in the 1.1 model; 1.1 messages are returned unchanged (moved, not copied: a
// Poll_Response part holds megabytes of content). Fails (Failure) for 1.0 requests.
Result<Message> bridge_response_to_v11(Message response, const Clock& clock = SystemClock::instance());

// A 1.0 Subscription_Management_Response states no subscription status (XML 1.0 §3.7):
// bridge_response_to_v11() leaves the 1.1 default ACTIVE. This sets what the answered request
// implies: UNSUBSCRIBE -> UNSUBSCRIBED; SUBSCRIBE and STATUS -> ACTIVE (TAXII 1.0 has no paused
// subscriptions). A 1.0 STATUS carries no ID (XML 1.0 §3.6: it lists all of the requester's
// subscriptions), so with `id` the answer is narrowed to that subscription (none if the server
// does not list it).
void complete_v10_subscription_response(v11::SubscriptionAction action, const std::optional<std::string>& id,
                                        v11::ManageCollectionSubscriptionResponse& response);

}  // namespace taxii::xml
