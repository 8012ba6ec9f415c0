// What the outbox worker sends: the Inbox_Message carrying a subscription's next batch
// (Services 1.1 §4.4.10: Source_Subscription, Record_Count, content filtered by the
// subscription's bindings), serialized in the message binding the subscriber asked for (XML
// 1.1, or 1.0 through the bridge) with the HTTP binding's headers (http::taxii_headers), how it
// is sent (PushSender) and how the answer is judged. Pure functions over the store's content
// (storage::ContentStore); thread-safe.
//
// PushSender is the outbox worker's seam to the network (an interface with a real and a fake
// implementation): it POSTs one serialized TAXII message to an Inbox service and returns the
// HTTP answer, whatever it is; judging it is judge_reply()'s job. The real one is
// server/push_sender.hpp (over the HTTP client of bindings/http, TLS verified); tests use
// fakes. One sender is used by one worker thread at a time; implementations need not be
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings/query/query_format.hpp"
#include "core/message_v11.hpp"
#include "core/result.hpp"
#include "services/push/push_address.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct PushReply {
  int http_status = 0;
  std::string taxii_content_type;  // X-TAXII-Content-Type, if any
  std::string body;
};

class PushSender {
 public:
  virtual ~PushSender() = default;
  // One POST. Any HTTP answer is a successful exchange. Fails (Failure, naming the address and
  // the reason) when no complete HTTP answer arrived: refused, TLS verification, timeout, ...
  virtual Result<PushReply> post(const PushAddress& to, const HttpHeaders& headers, const std::string& body) = 0;
};

// The next delivery of a push subscription: the labels (cursor, through] it covers and the
// message, if anything in that range matches (none: just move the cursor to `through`).
struct PushBatch {
  Timestamp through;
  std::optional<v11::InboxMessage> message;
  uint64_t blocks = 0;
};

// Content bytes after which a FULL batch is cut even below max_blocks (at least one block),
// so that a message stays well under a receiving server's body limit (taxiid's: 10 MiB).
inline constexpr std::size_t kMaxBatchBytes = std::size_t{4} << 20;

// From the subscription's push_cursor up to the collection's newest label:
// - FULL: at most max_blocks matching blocks (and about kMaxBatchBytes of content), in label
//   order, each with its Timestamp_Label; when the batch is full it covers up to its last
//   block's label, else up to the newest.
// - COUNT_ONLY: the whole range, Record_Count only, no blocks.
// Source_Subscription: collection name and subscription id, and for a Data Feed
// Exclusive_Begin_Timestamp = the cursor (absent at the feed's start) and
// Inclusive_End_Timestamp = through (Services 1.1 §4.4.10; none for a Data Set).
// Record_Count: the matching records of the covered range (all of them are in a FULL message).
// "Matching": the subscription's content bindings and, if it has one, its query (issue #10),
// compiled with `queries` once per batch and evaluated per block as the range streams past.
// Fails with Failure (store, unreadable parameters, a query that no longer compiles).
Result<PushBatch> next_batch(storage::ContentStore& store, const storage::Subscription& s, const CollectionInfo& c,
                             uint64_t max_blocks, const query::QueryFormatRegistry* queries = nullptr);

struct PreparedPush {
  PushAddress to;
  HttpHeaders headers;
  std::string body;
};

// Serializes m for the target: XML 1.1 as is, XML 1.0 through bridge_response_to_v10 (a
// fresh all-digits message id either way), with the headers of http::taxii_headers()
// (Content-Type, Accept, X-TAXII-Content-Type, X-TAXII-Accept, X-TAXII-Services and
// X-TAXII-Protocol; HTTP 1.0 §2). Fails when the target
// is unusable or the message has no form in its binding.
Result<PreparedPush> prepare_push(const v11::InboxMessage& m, const storage::PushTarget& target);

// Services 1.1 §3.2: delivered iff HTTP 200 and a Status_Message of type SUCCESS (either
// version). Otherwise a Failure naming what came back (status type and message, HTTP code).
Status judge_reply(const PushReply& reply);

}  // namespace taxii::services
