// Session operations on top of the exchange: poll (multi-part and asynchronous results),
// fulfil, push, and subscription management (Services 1.1 §3.2-§3.6).
#include <algorithm>
#include <chrono>
#include <deque>
#include <future>
#include <optional>
#include <system_error>
#include <utility>

#include "bindings/xml/bridge.hpp"
#include "bindings/xml/xml_document.hpp"
#include "client/part_hint.hpp"
#include "client/session.hpp"
#include "core/status.hpp"

namespace taxii::client {
namespace {

// Loads the XML grammars on another thread while the first request is under way (the first
// parse would otherwise load them after the answer arrived); without a thread, that parse
// still does.
std::future<void> preload_grammars_async() {
  try {
    return std::async(std::launch::async, xml::preload_grammars);
  } catch (const std::system_error&) {
    return {};
  }
}

}  // namespace

Result<PollSummary> Session::poll(const PollSpec& spec, const BlockSink& sink, const PartObserver& observer) {
  v11::PollRequest req;
  req.collection_name = spec.collection;
  req.exclusive_begin = spec.exclusive_begin;
  req.inclusive_end = spec.inclusive_end;
  if (spec.exclusive_begin && spec.inclusive_end && !(*spec.exclusive_begin < *spec.inclusive_end))
    return local_error("the end of the poll window must be later than its beginning (XML 1.1 §3.8)");
  if (spec.subscription_id) {
    req.subscription_id = spec.subscription_id;  // the subscription's own parameters apply
  } else {
    v11::PollParameters p;
    p.allow_asynch = spec.allow_asynch;
    p.response_type = spec.count_only ? v11::ResponseType::CountOnly : v11::ResponseType::Full;
    p.content_bindings = spec.content_bindings;
    p.query = spec.query;
    req.poll_parameters = std::move(p);
  }
  auto grammars = preload_grammars_async();
  std::deque<Ahead> ahead;
  auto first = first_part(Message{std::move(req)}, spec.collection, 1, spec.follow_parts && !spec.count_only, &ahead);
  if (!first.ok()) return first.error();
  PollSummary sum;
  sum.collection = spec.collection;
  // A COUNT_ONLY answer is complete with its Record_Count: its parts are not followed even if it
  // says more="true" (OpenTAXII does when the count exceeds its page size, and then serves the
  // content itself through Poll_Fulfillment; tests/interop, docs/interop.md).
  // TAXII 1.0: the label of the answer's last block, to see whether its end was narrowed to it.
  std::optional<Timestamp> last_label;
  const BlockSink labelled = [&sink, &last_label](const v11::ContentBlock& b, uint64_t i) {
    last_label = b.timestamp_label;
    return sink(b, i);
  };
  const bool v10 = opt_.version == Version::V10;
  auto r = follow(std::move(*first), std::move(sum), 1, spec.follow_parts && !spec.count_only, v10 ? labelled : sink,
                  observer, std::move(ahead));
  if (r.ok() && spec.count_only) r->more = false;
  if (r.ok() && v10 && spec.follow_parts && !spec.subscription_id)
    return continue_v10(spec, std::move(*r), last_label, sink, observer);
  return r;
}

// TAXII 1.0 has no multi-part results (Services 1.0 has no Poll_Fulfillment); servers that cap
// an answer (taxiid: at most part_size blocks, docs/server.md) narrow its
// Inclusive_End_Timestamp to the label of the last block returned. So while an answer's end is
// its last block's label and before the end asked for, poll again from that end (exclusive).
// Each answer counts as one `part`.
Result<PollSummary> Session::continue_v10(const PollSpec& spec, PollSummary sum, std::optional<Timestamp> last_label,
                                          const BlockSink& sink, const PartObserver& observer) {
  auto narrowed = [&] {
    return sum.inclusive_end && last_label && sum.inclusive_end->micros() == last_label->micros() &&
           (!spec.inclusive_end || *sum.inclusive_end < *spec.inclusive_end) &&
           (!spec.exclusive_begin || *spec.exclusive_begin < *sum.inclusive_end);
  };
  while (narrowed()) {
    PollSpec next = spec;
    next.exclusive_begin = sum.inclusive_end;
    v11::PollRequest req;
    req.collection_name = next.collection;
    req.exclusive_begin = next.exclusive_begin;
    req.inclusive_end = next.inclusive_end;
    v11::PollParameters p;
    p.content_bindings = next.content_bindings;
    req.poll_parameters = std::move(p);
    auto answer = exchange(ServiceType::Poll, Message{std::move(req)});
    if (!answer.ok()) return answer.error();
    const uint64_t before = sum.blocks;
    const auto previous_end = sum.inclusive_end;
    PollSummary part;
    part.collection = sum.collection;
    last_label.reset();
    auto r = follow(
        std::move(*answer), std::move(part), 1, false,
        [&sink, &last_label, before](const v11::ContentBlock& b, uint64_t i) {
          last_label = b.timestamp_label;
          return sink(b, before + i);
        },
        observer);
    if (!r.ok()) return r.error();
    sum.blocks += r->blocks;
    sum.bytes += r->bytes;
    sum.parts += r->parts;
    sum.last_part = sum.parts;
    if (r->message) sum.message = r->message;
    if (r->inclusive_end) sum.inclusive_end = r->inclusive_end;
    // A server whose end does not advance would be asked forever: stop.
    if (!sum.inclusive_end || !(previous_end && *previous_end < *sum.inclusive_end)) break;
  }
  return sum;
}

Result<PollSummary> Session::fulfill(const std::string& collection, const std::string& result_id, uint64_t part,
                                     bool follow_parts, const BlockSink& sink, const PartObserver& observer) {
  if (part == 0) return local_error("result part numbers start at 1");
  v11::PollFulfillment f;
  f.collection_name = collection;
  f.result_id = result_id;
  f.result_part_number = part;
  auto grammars = preload_grammars_async();
  std::deque<Ahead> ahead;
  auto first = first_part(Message{std::move(f)}, collection, part, follow_parts, &ahead);
  if (!first.ok()) return first.error();
  PollSummary sum;
  sum.collection = collection;
  sum.result_id = result_id;
  return follow(std::move(*first), std::move(sum), part, follow_parts, sink, observer, std::move(ahead));
}

Result<Message> Session::first_part(Message request, const std::string& collection, uint64_t part, bool follow_parts,
                                    std::deque<Ahead>* ahead) {
  if (!follow_parts || !opt_.prefetch_parts || opt_.trace || opt_.version != Version::V11)
    return exchange(ServiceType::Poll, request);
  // Part + 1 goes over this connection, idle while the answer is parsed (follow() uses it only
  // after checking the parsed answer against the hint).
  const BodyPeek peek = [&](std::string_view body) {
    if (!ahead->empty()) return;
    auto h = peek_poll_response(body);
    if (!h || !h->more || h->result_id.empty() || h->part != part) return;
    fetch_ahead(*ahead, *transport_, h->collection.empty() ? collection : h->collection, h->result_id, part + 1);
  };
  return exchange_on(*transport_, ServiceType::Poll, request, true, &peek);
}

void Session::fetch_ahead(std::deque<Ahead>& ahead, Transport& lane, const std::string& collection,
                          const std::string& result_id, uint64_t part) {
  v11::PollFulfillment f;
  f.collection_name = collection;
  f.result_id = result_id;
  f.result_part_number = part;
  Ahead a;
  a.part = part;
  a.result_id = result_id;
  a.collection = collection;
  a.lane = &lane;
  a.answer = std::async(std::launch::async, [this, &lane, m = Message{std::move(f)}] {
    return exchange_on(lane, ServiceType::Poll, m, true);
  });
  ahead.push_back(std::move(a));
}

Result<Message> Session::fetch_part(const PollSummary& sum, uint64_t part) {
  v11::PollFulfillment f;
  f.collection_name = sum.collection;
  f.result_id = sum.result_id.value_or("");
  f.result_part_number = part;
  return exchange(ServiceType::Poll, Message{std::move(f)});
}

// Services 1.1 §3.6.2: PENDING carries RESULT_ID and ESTIMATED_WAIT; ask again with
// Poll_Fulfillment once the estimate has passed. (A PENDING without allow_asynch breaks §4.4.8,
// but waiting is still the useful reaction.) `waited` counts against async_deadline.
Result<Message> Session::wait_pending(const v11::StatusMessage& st, PollSummary& sum, uint64_t part,
                                      std::chrono::milliseconds& waited) {
  if (st.status_type != wire_name(StatusType::Pending)) return status_error(st);
  if (auto rid = text_detail(st, detail_name::kResultId)) sum.result_id = std::move(*rid);
  if (!sum.result_id) return response_error("PENDING status without a RESULT_ID detail");
  const int64_t est = seconds_detail(st, detail_name::kEstimatedWait).value_or(0);
  const auto d = std::chrono::milliseconds(std::chrono::seconds(std::clamp<int64_t>(est, 1, opt_.retry.max_wait.count())));
  if (waited + d > opt_.retry.async_deadline) {
    Error e = status_error(st);
    return Error{e.type(), "result '" + *sum.result_id + "' is still pending after " + std::to_string(sum.pending_waits) +
                               " waits" + (e.message().empty() ? "" : ": " + e.message()),
                 e.details()};
  }
  ++sum.pending_waits;
  waited += d;
  wait(d, "result '" + *sum.result_id + "' is pending");
  return fetch_part(sum, part);
}

namespace {

// What a Poll_Response adds to the summary.
void take_part(PollSummary& sum, const v11::PollResponse& pr) {
  ++sum.parts;
  sum.last_part = pr.result_part_number;
  if (!pr.collection_name.empty()) sum.collection = pr.collection_name;
  if (sum.parts == 1) sum.exclusive_begin = pr.exclusive_begin;
  if (pr.inclusive_end) sum.inclusive_end = pr.inclusive_end;
  if (pr.record_count && (!sum.record_count || pr.record_count->count > sum.record_count->count))
    sum.record_count = pr.record_count;
  if (pr.subscription_id) sum.subscription_id = pr.subscription_id;
  if (pr.message) sum.message = pr.message;
}

}  // namespace

// The next part is fetched while this one goes to the sink, so the server's work and ours
// overlap (bench/run: a 10k-block poll is 10 parts); after the first answer, first_part() has
// already asked for it, before parsing. When the first part's Record_Count tells how many parts
// there are (a full part's blocks per part), the one after is fetched too, over a second
// connection: then the server builds one part while this client reads another. Each
// outstanding fetch has a connection to itself (the lane the other one does not use), and a
// part is only used once the one before it said more="true" with the same result_id and
// collection, so a wrong guess costs one request and is never reported. The sink does not use
// the session; outstanding fetches are awaited before any other exchange and on return.
// SessionOptions::prefetch_parts turns this off. Memory: three parts at most.
void Session::plan_ahead(const v11::PollResponse& pr, const PollSummary& sum, std::deque<Ahead>& ahead,
                         std::optional<uint64_t>& last_part_guess) {
  if (sum.parts == 1 && pr.more && pr.record_count && !pr.record_count->partial && !pr.content_blocks.empty()) {
    const uint64_t per_part = pr.content_blocks.size();
    last_part_guess = pr.result_part_number - 1 + (pr.record_count->count + per_part - 1) / per_part;
    if (!second_ && !opt_.trace && opt_.prefetch_parts && opt_.poll_connections >= 2 &&
        *last_part_guess > pr.result_part_number + 1)
      second_ = transport_->open_another();
  }
  if (!pr.more || !pr.result_id || !opt_.prefetch_parts) return;
  const uint64_t next = pr.result_part_number + 1;
  const bool two = second_ != nullptr && !opt_.trace && opt_.poll_connections >= 2;
  const uint64_t last = two && last_part_guess ? std::max(*last_part_guess, next) : next;
  for (uint64_t k = next + ahead.size(); k <= last && ahead.size() < (two ? 2u : 1u); ++k) {
    Transport* lane = !ahead.empty() && ahead.back().lane == transport_.get() ? second_.get() : transport_.get();
    fetch_ahead(ahead, *lane, sum.collection, *pr.result_id, k);
  }
}

Result<PollSummary> Session::follow(Message resp, PollSummary sum, uint64_t expected_part, bool follow_parts,
                                    const BlockSink& sink, const PartObserver& observer, std::deque<Ahead> ahead) {
  std::chrono::milliseconds waited{0};  // PENDING waits so far, against async_deadline
  uint64_t index = 0;
  // `ahead`: parts expected_part + 1, + 2 being fetched (the first perhaps by first_part()).
  std::optional<uint64_t> last_part_guess;  // from the first part's Record_Count
  for (;;) {
    if (const auto* st = std::get_if<v11::StatusMessage>(&resp)) {
      ahead.clear();  // (waits) a later part must not run beside the exchanges below
      auto next = wait_pending(*st, sum, expected_part, waited);
      if (!next.ok()) return next.error();
      resp = std::move(*next);
      continue;
    }
    const auto* pr = std::get_if<v11::PollResponse>(&resp);
    if (pr == nullptr) return response_error("expected a Poll_Response, got a " + std::string(message_type_name(resp)));
    if (sum.parts > 0 && pr->result_part_number != expected_part)
      return response_error("asked for part " + std::to_string(expected_part) + " of result '" +
                            sum.result_id.value_or("") + "', got part " + std::to_string(pr->result_part_number));
    take_part(sum, *pr);
    if (observer) observer(*pr);
    if (follow_parts) plan_ahead(*pr, sum, ahead, last_part_guess);
    for (const auto& b : pr->content_blocks) {
      ++sum.blocks;
      sum.bytes += b.content.xml.size();
      if (auto s = sink(b, ++index); !s.ok()) return s.error();  // (~future waits for the fetch)
    }
    sum.more = pr->more && !follow_parts;
    if (!pr->more) return sum;
    // Services 1.1 §3.6.1: more="true" requires a result_id; fetch the next part.
    if (!pr->result_id) return response_error("Poll_Response has more=\"true\" but no result_id (XML 1.1 §3.9)");
    sum.result_id = pr->result_id;
    if (!follow_parts) return sum;
    expected_part = pr->result_part_number + 1;
    std::optional<Result<Message>> next;
    if (!ahead.empty()) {
      Ahead a = std::move(ahead.front());
      ahead.pop_front();
      if (a.part == expected_part && a.result_id == *sum.result_id && a.collection == sum.collection) next = a.answer.get();
      else ahead.clear();  // (waits) a hint that the parsed answer did not confirm: ask again below
    }
    resp = Message{v11::StatusMessage{}};  // drop the part before fetching the next one
    if (!next) next = fetch_part(sum, expected_part);
    if (!next->ok()) return next->error();
    resp = std::move(**next);
  }
}

Status Session::push(std::vector<v11::ContentBlock> blocks, const std::vector<std::string>& destinations) {
  v11::InboxMessage m;
  m.destination_collection_names = destinations;
  m.content_blocks = std::move(blocks);
  // Not idempotent: resent only if it surely never left (Session header).
  auto r = exchange(ServiceType::Inbox, Message{std::move(m)}, false);
  if (!r.ok()) return r.error();
  if (const auto* st = std::get_if<v11::StatusMessage>(&*r)) {
    if (st->status_type == wire_name(StatusType::Success)) return ok_status();
    return status_error(*st);
  }
  return response_error("expected a Status_Message from the Inbox, got a " + std::string(message_type_name(*r)));
}

Result<v11::ManageCollectionSubscriptionResponse> Session::manage_subscription(const SubscriptionSpec& spec) {
  v11::ManageCollectionSubscriptionRequest req;
  req.action = spec.action;
  req.collection_name = spec.collection;
  switch (spec.action) {
    case v11::SubscriptionAction::Subscribe: {
      // Services 1.1 §4.4.6: Subscription_Parameters iff SUBSCRIBE; no Subscription_ID.
      v11::SubscriptionParameters p;
      p.response_type = spec.response_type;
      p.content_bindings = spec.content_bindings;
      p.query = spec.query;
      req.subscription_parameters = std::move(p);
      req.push_parameters = spec.push;
      break;
    }
    case v11::SubscriptionAction::Unsubscribe:
    case v11::SubscriptionAction::Pause:
    case v11::SubscriptionAction::Resume:
      if (!spec.subscription_id)
        return local_error(std::string(to_string(spec.action)) + " needs a subscription ID (--id)");
      req.subscription_id = spec.subscription_id;
      break;
    case v11::SubscriptionAction::Status:
      req.subscription_id = spec.subscription_id;  // none = all of mine for this collection
      break;
  }
  auto r = expect_answer<v11::ManageCollectionSubscriptionResponse>(
      exchange(ServiceType::CollectionManagement, Message{std::move(req)}), "Subscription_Management_Response");
  if (r.ok() && opt_.version == Version::V10) xml::complete_v10_subscription_response(spec.action, spec.subscription_id, *r);
  return r;
}

}  // namespace taxii::client
