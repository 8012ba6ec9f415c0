// The TAXII 1.0 <-> 1.1 bridge (DESIGN.md): 1.0 requests become 1.1 requests so services
// implement each rule once, and 1.1 responses go back out as 1.0 responses.
// Decisions where the specifications are silent are recorded in docs/decisions.md:
// - 1.1 Exclusive_Begin X becomes 1.0 Inclusive_Begin X + 1 µs (labels have µs resolution).
// - 1.1-only status types become FAILURE in 1.0, with the 1.1 type named in the Message.
// - 1.1 status details become the 1.0 single-string detail: a space-separated list of the
//   values for UNSUPPORTED_MESSAGE/_CONTENT/_PROTOCOL; for RETRY, now + ESTIMATED_WAIT as
//   an RFC 3339 timestamp (1.0 detail semantics, Services 1.0 §3.4.1).
// Pure functions; thread-safe.
#pragma once

#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::xml {

// A 1.0 request as the 1.1 request services understand. BadMessage for 1.0 responses.
Result<Message> bridge_request_to_v11(const Message& v10_request);
// A 1.1 response (or Inbox_Message being pushed) expressed in TAXII 1.0.
// Fails (Failure) for messages with no 1.0 form (e.g. Poll_Fulfillment).
Result<Message> bridge_response_to_v10(const Message& v11_message);

}  // namespace taxii::xml
