// Session: a TAXII client for one server. Front header of client/ (namespace taxii::client).
//
// It builds requests in the TAXII 1.1 model, sends them in the server's version (1.1, or 1.0
// through the bridge, bindings/xml/bridge.hpp) with the XML message binding and the HTTP
// binding's headers (http::taxii_post: Content-Type and Accept application/xml,
// X-TAXII-Content-Type, X-TAXII-Accept, X-TAXII-Protocol from the URL scheme,
// X-TAXII-Services; HTTP 1.0 §2), parses the answer with the binding its X-TAXII-Content-Type
// names and hands back 1.1-shaped values.
//
// - Non-TAXII HTTP answers become status errors per HTTP 1.0 §5 (errors.hpp).
// - in_response_to must equal the request's message_id; "0" is tolerated on error statuses
//   (servers that reject a request before reading it, docs/interop.md), not on SUCCESS or
//   PENDING.
// - RETRY statuses and transport failures are retried with exponential backoff, at most
//   RetryPolicy::max_attempts tries; a server's ESTIMATED_WAIT replaces the backoff. Each try
//   has a fresh message_id. An Inbox_Message is only resent when it was surely not sent
//   (connection never established), so content is never duplicated by a retry.
// - poll() follows multi-part results with Poll_Fulfillment and waits out PENDING answers to
//   asynchronous polls; each part is handed block by block to a sink and then dropped, so
//   memory stays flat however large the result.
//   TAXII 1.0 has no multi-part: a 1.0 answer whose Inclusive_End_Timestamp is the label of
//   its last block (narrowed, as taxiid does when capping an answer) and before the end asked
//   for is continued with another Poll_Request from that end.
// - Every wait (backoff, RETRY, PENDING) sleeps on the Session's Clock, and a TAXII 1.0 RETRY
//   time is turned into a wait with its now(): tests pass a ManualClock and sleep not at all.
//
// A Session owns its Transport. Not thread-safe: use one Session per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/errors.hpp"
#include "client/transport.hpp"
#include "core/clock.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::client {

struct Credentials {
  std::string user, password;  // HTTP Basic (HTTP 1.0 §6.2)
};

struct RetryPolicy {
  int max_attempts = 4;                             // tries of one request, including the first
  std::chrono::milliseconds initial_backoff{500};   // doubled after every failed try
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::seconds max_wait{300};               // longest ESTIMATED_WAIT honoured at once
  std::chrono::seconds async_deadline{3600};        // give up on a PENDING result after this
};

// One HTTP message as it went over the wire (for -v and --raw).
struct TraceEvent {
  bool outgoing = true;
  const Url* url = nullptr;
  int http_status = 0;  // responses only
  const Headers* headers = nullptr;
  std::string_view body;
};

struct SessionOptions {
  Version version = Version::V11;
  std::optional<Credentials> basic_auth;
  RetryPolicy retry;
  std::function<void(const TraceEvent&)> trace;           // optional
  // Fetch the next part of a multi-part poll while the sink handles this one (the trace then
  // sees exchanges from a second thread, one at a time; turn off to keep trace output in
  // step with the sink's). Without a trace, and when the first part's Record_Count says
  // how many parts there are, two parts are fetched at once over two connections (see
  // Session::follow).
  bool prefetch_parts = true;
  // 2: a multi-part poll may use a second connection (above); 1: never (for a server that
  // serves one connection at a time and would wait on the idle first one).
  int poll_connections = 2;
  std::function<void(const std::string&)> notice;         // optional: "retrying in 2 s: ..."
};

struct PollSpec {
  std::string collection;
  std::optional<Timestamp> exclusive_begin;  // Services 1.1 §4.4.8: (begin, end]
  std::optional<Timestamp> inclusive_end;
  std::optional<std::string> subscription_id;  // poll for a subscription instead of parameters
  std::vector<v11::ContentBinding> content_bindings;  // none = all
  bool count_only = false;
  std::optional<v11::Query> query;
  bool allow_asynch = false;  // let the server answer PENDING (1.1)
  bool follow_parts = true;   // fetch parts 2.. of a multi-part result (1.0: continue a capped answer)
};

struct PollSummary {
  std::string collection;
  uint64_t blocks = 0;
  uint64_t bytes = 0;       // serialized Content size of the blocks
  uint64_t parts = 0;       // Poll_Responses received
  uint64_t last_part = 0;   // result_part_number of the last one
  bool more = false;        // parts remain (follow_parts was off)
  std::optional<v11::RecordCount> record_count;  // the largest count any part stated
  std::optional<Timestamp> exclusive_begin, inclusive_end;  // the range the server considered
  std::optional<std::string> result_id, subscription_id, message;
  int pending_waits = 0;    // PENDING answers waited out
};

// Receives each content block in order; `index` counts from 1 over all parts. An error stops
// the poll and is returned by it.
using BlockSink = std::function<Status(const v11::ContentBlock& block, uint64_t index)>;
// Sees each Poll_Response (1.1 model) before its blocks go to the sink; optional.
using PartObserver = std::function<void(const v11::PollResponse& part)>;

struct SubscriptionSpec {
  v11::SubscriptionAction action = v11::SubscriptionAction::Status;
  std::string collection;
  std::optional<std::string> subscription_id;
  // SUBSCRIBE only:
  v11::ResponseType response_type = v11::ResponseType::Full;
  std::vector<v11::ContentBinding> content_bindings;
  std::optional<v11::Query> query;
  std::optional<v11::PushParameters> push;  // none = the subscriber will poll
};

class Session {
 public:
  // `clock` must outlive the Session.
  Session(std::unique_ptr<Transport> transport, SessionOptions options, const Clock& clock = SystemClock::instance());

  Version version() const { return opt_.version; }
  std::string_view message_binding() const;  // urn:taxii.mitre.org:message:xml:1.x
  std::string_view services_version() const;  // urn:taxii.mitre.org:services:1.x

  void set_address(ServiceType service, Url url);
  std::optional<Url> address(ServiceType service) const;
  // The X-Request-Id of the last answer received ("" if it had none): the id the server's log
  // line names (taxiid sets it on every answer), printed with an error status.
  std::string last_request_id() const;
  // Asks the Discovery service and sets the address of every service type not set yet, from
  // the instances that speak this session's services version and message binding over HTTP(S).
  // Fails like discover(); NotFound-typed Local error never (missing types stay unset).
  Status locate_services();

  // One exchange with retries; the answer in the 1.1 model (a Status_Message included).
  // Fails with Transport, Http, Response or Local errors; never with a Server error.
  Result<Message> exchange(ServiceType service, const Message& v11_request, bool idempotent = true);

  Result<v11::DiscoveryResponse> discover();
  Result<v11::CollectionInformationResponse> collection_information();
  // Services 1.1 §3.6. Fails with the server's status (NOT_FOUND, UNSUPPORTED_CONTENT, ...),
  // INVALID_RESPONSE_PART, ASYNCHRONOUS_POLL_ERROR, or a sink error.
  Result<PollSummary> poll(const PollSpec& spec, const BlockSink& sink, const PartObserver& observer = {});
  // Fetches part `part` of result `result_id` (and later parts if follow_parts).
  Result<PollSummary> fulfill(const std::string& collection, const std::string& result_id, uint64_t part,
                              bool follow_parts, const BlockSink& sink, const PartObserver& observer = {});
  // One Inbox_Message; succeeds only on a SUCCESS status (Services 1.1 §3.2).
  Status push(std::vector<v11::ContentBlock> blocks, const std::vector<std::string>& destinations);
  Result<v11::ManageCollectionSubscriptionResponse> manage_subscription(const SubscriptionSpec& spec);

 private:
  // Sees a 200 answer's body in the 1.1 binding before it is parsed.
  using BodyPeek = std::function<void(std::string_view body)>;
  // A part of a multi-part result requested before it is needed (follow()); the future's
  // destructor waits for the exchange.
  struct Ahead {
    uint64_t part = 0;
    std::string result_id, collection;
    Transport* lane = nullptr;
    std::future<Result<Message>> answer;
  };

  Result<Message> exchange_on(Transport& t, ServiceType service, const Message& v11_request, bool idempotent,
                              const BodyPeek* peek = nullptr);
  Result<Message> exchange_once(Transport& t, const Url& url, const Message& v11_request, const std::string& message_id,
                                const BodyPeek* peek);
  Result<Url> require(ServiceType service) const;
  // The first exchange of a poll or fulfilment (`request`, answered by part `part`). When
  // the answer's bytes say more="true", part + 1 is requested into `ahead` at once, while
  // this answer is parsed.
  Result<Message> first_part(Message request, const std::string& collection, uint64_t part, bool follow_parts,
                             std::deque<Ahead>* ahead);
  void fetch_ahead(std::deque<Ahead>& ahead, Transport& lane, const std::string& collection,
                   const std::string& result_id, uint64_t part);
  Result<PollSummary> follow(Message first, PollSummary summary, uint64_t expected_part, bool follow_parts,
                             const BlockSink& sink, const PartObserver& observer, std::deque<Ahead> ahead = {});
  Result<PollSummary> continue_v10(const PollSpec& spec, PollSummary summary, std::optional<Timestamp> last_label,
                                   const BlockSink& sink, const PartObserver& observer);
  void wait(std::chrono::milliseconds d, const std::string& why);
  std::chrono::milliseconds backoff(int attempt) const;

  // The wait before try `attempt` + 1 after a RETRY status (its ESTIMATED_WAIT, else backoff).
  std::chrono::milliseconds retry_wait(const v11::StatusMessage& st, int attempt) const;
  // The Poll_Fulfillment of part `part` of sum.result_id (PENDING, later parts).
  Result<Message> fetch_part(const PollSummary& sum, uint64_t part);
  // A PENDING answer waited out and asked again; any other status is its error.
  Result<Message> wait_pending(const v11::StatusMessage& st, PollSummary& sum, uint64_t part,
                               std::chrono::milliseconds& waited);
  // Starts the fetches of the parts after `pr` (follow()).
  void plan_ahead(const v11::PollResponse& pr, const PollSummary& sum, std::deque<Ahead>& ahead,
                  std::optional<uint64_t>& last_part_guess);

  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Transport> second_;  // opened for the first poll that fetches two parts at once
  SessionOptions opt_;
  const Clock& clock_;
  mutable std::mutex last_id_mu_;
  mutable std::string last_request_id_;  // X-Request-Id of the last answer (guarded by last_id_mu_)
  std::optional<Url> addresses_[4];
};

// The message binding URN of a version.
std::string_view message_binding_of(Version v);

}  // namespace taxii::client
