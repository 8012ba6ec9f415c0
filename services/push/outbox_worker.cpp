#include "services/push/outbox_worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <random>
#include <utility>

#include "core/ids.hpp"
#include "services/poll/async_poll.hpp"
#include "services/push/push_message.hpp"

namespace taxii::services {
namespace {

constexpr std::size_t kClaimSubscriptions = 4;  // per round and thread
constexpr std::size_t kClaimResults = 2;
constexpr auto kMetricsEvery = std::chrono::seconds(2);
// Thread 0, woken by wake(), starts its next round no sooner than this after its last one:
// every stored Inbox_Message wakes the outbox, so under ingest the wakes of a few
// milliseconds make one round instead of one each (pushes leave at most this much later).
constexpr auto kWakeGap = std::chrono::milliseconds(10);

std::string instance_id() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + generate_uuid().substr(0, 8);
}

}  // namespace

OutboxWorker::OutboxWorker(std::shared_ptr<const Topology> topology, Stores store, SenderFactory senders,
                           PushOptions options, EventLog log, const query::QueryFormatRegistry* queries,
                           const Clock& clock)
    : topology_(std::move(topology)),
      store_(store),
      senders_(std::move(senders)),
      options_(options),
      log_(std::move(log)),
      queries_(queries),
      clock_(clock),
      instance_(instance_id()) {
  options_.threads = std::max<std::size_t>(1, options_.threads);
  options_.max_blocks = std::max<uint64_t>(1, options_.max_blocks);
}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!threads_.empty()) return;
  stopping_ = false;
  for (std::size_t n = 0; n < options_.threads; ++n) threads_.emplace_back([this, n] { loop(n); });
}

void OutboxWorker::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  wake_cv_.notify_all();
  for (auto& t : threads) t.join();
  if (!threads.empty()) maybe_log_metrics(true);
}

void OutboxWorker::wake() {
  bool notify = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
    // Thread 0 answers wakes. Busy, or in its gap, it sees wakes_ moved when it looks next;
    // only asleep does it need a signal (one per sleep, not one per stored message).
    notify = first_asleep_;
    first_asleep_ = false;
  }
  if (notify) wake_cv_.notify_one();
}

OutboxCounters OutboxWorker::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void OutboxWorker::count(const std::function<void(OutboxCounters&)>& f) {
  std::lock_guard<std::mutex> lock(mu_);
  f(counters_);
  counters_changed_ = true;
}

void OutboxWorker::emit(const OutboxEvent& e) const {
  if (log_) log_(e);
}

void OutboxWorker::maybe_log_metrics(bool force) {
  OutboxEvent e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!force && (!counters_changed_ || now - last_metrics_ < kMetricsEvery)) return;
    counters_changed_ = false;
    last_metrics_ = now;
    e.counters = counters_;
  }
  e.kind = OutboxEvent::Kind::Metrics;
  emit(e);
}

// Exponential backoff with jitter: initial x 2^failures, capped, then a uniform draw from
// [half, all] of it so that subscribers failing together do not retry in lockstep.
std::chrono::milliseconds OutboxWorker::backoff(uint32_t failures) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int64_t initial = std::max<int64_t>(1, options_.retry_initial.count());
  const int64_t cap = std::max<int64_t>(initial, options_.retry_max.count());
  int64_t d = initial;
  for (uint32_t i = 0; i < failures && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  std::uniform_int_distribution<int64_t> jitter(d / 2, d);
  return std::chrono::milliseconds(jitter(rng));
}

Timestamp OutboxWorker::after(std::chrono::milliseconds d) const {
  return Timestamp::from_micros(clock_.now().micros() + static_cast<int64_t>(d.count()) * 1000);
}

// Thread 0 answers wake(): after a round that found nothing it sleeps until the next wake
// (or `interval`), then waits out the rest of kWakeGap so that a burst of wakes makes one
// round. The other threads check every `interval`, and when a thread finds work it recruits
// one of them (recruits_), so a backlog is worked on by all.
void OutboxWorker::loop(std::size_t n) {
  std::unique_ptr<PushSender> sender = senders_();
  const std::string worker = instance_ + "/" + std::to_string(n);
  while (true) {
    uint64_t seen = 0, recruited = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      seen = wakes_;
      recruited = recruits_;
    }
    bool did = false;
    const auto started = std::chrono::steady_clock::now();
    try {
      did = run_once(*sender, worker);
    } catch (const std::exception& e) {  // a broken invariant; keep delivering the rest
      OutboxEvent ev;
      ev.kind = OutboxEvent::Kind::Failed;
      ev.message = std::string("unexpected exception: ") + e.what();
      emit(ev);
    }
    maybe_log_metrics(false);
    if (did) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++recruits_;
      }
      cv_.notify_one();  // there may be more: another thread claims it meanwhile
      continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (n != 0) {
      cv_.wait_for(lock, options_.interval, [&] { return stopping_ || recruits_ != recruited; });
      continue;
    }
    first_asleep_ = true;
    wake_cv_.wait_for(lock, options_.interval, [&] { return stopping_ || wakes_ != seen; });
    first_asleep_ = false;
    const auto since = std::chrono::steady_clock::now() - started;
    if (!stopping_ && wakes_ != seen && since < kWakeGap)
      wake_cv_.wait_for(lock, kWakeGap - since, [&] { return stopping_; });
  }
}

bool OutboxWorker::run_once(PushSender& sender, const std::string& worker_id) {
  const Timestamp now = clock_.now();
  const storage::ClaimLease lease{worker_id, now,
                                  Timestamp::from_micros(now.micros() + options_.lease.count() * 1'000'000)};
  bool did = false;
  auto results = store_.results().claim_async_work(lease, kClaimResults);
  if (results.ok())
    for (auto& r : *results) {
      did = true;
      work_async(sender, worker_id, std::move(r));
    }
  auto subs = store_.subscriptions().claim_push_work(lease, kClaimSubscriptions);
  if (subs.ok())
    for (const auto& s : *subs) {
      did = true;
      deliver(sender, worker_id, s);
    }
  return did;
}

void OutboxWorker::deliver(PushSender& sender, const std::string& worker, const storage::Subscription& s) {
  const std::string address = s.push ? s.push->address : std::string();
  const auto fail = [&](const std::string& why) {
    const auto delay = backoff(s.attempts);
    (void)store_.subscriptions().fail_push(s.id, worker, after(delay), why);  // a store failure: the lease expires
    count([](OutboxCounters& c) { ++c.failures; });
    OutboxEvent e;
    e.kind = OutboxEvent::Kind::Failed;
    e.id = s.id;
    e.address = address;
    e.attempt = s.attempts + 1;
    e.retry_in_ms = delay.count();
    e.message = why;
    emit(e);
  };
  const CollectionInfo* c = topology_->find_collection(s.collection);
  if (c == nullptr) return fail("collection " + s.collection + " is not configured on this taxiid");
  if (!s.push) return fail("subscription has no push parameters");
  auto batch = next_batch(store_.content(), s, *c, options_.max_blocks, queries_);
  if (!batch.ok()) return fail(batch.error().message());
  if (batch->message) {
    auto prepared = prepare_push(*batch->message, *s.push);
    if (!prepared.ok()) return fail(prepared.error().message());
    auto reply = sender.post(prepared->to, prepared->headers, prepared->body);
    if (!reply.ok()) return fail(reply.error().message());
    if (auto judged = judge_reply(*reply); !judged.ok()) return fail(judged.error().message());
  }
  // Only now, after the subscriber's SUCCESS, does the cursor move (at-least-once; the
  // receiving inbox skips what it already has, which makes it exactly-once).
  auto done = store_.subscriptions().complete_push(s.id, worker, batch->through);
  if (!done.ok() || !*done || !batch->message) return;
  const uint64_t blocks = batch->blocks;
  count([blocks](OutboxCounters& k) {
    ++k.messages;
    k.blocks += blocks;
  });
  OutboxEvent e;
  e.kind = OutboxEvent::Kind::Delivered;
  e.id = s.id;
  e.address = address;
  e.blocks = blocks;
  emit(e);
}

void OutboxWorker::work_async(PushSender& sender, const std::string& worker, storage::AsyncResult r) {
  OutboxEvent e;
  e.id = r.result_id;
  if (r.state == storage::AsyncState::Building) {
    auto built = build_async_result(store_, r, queries_);
    if (built.ok()) {
      r.attempts = 0;
      r.last_error.reset();
      r.next_attempt = Timestamp::from_micros(0);
      count([](OutboxCounters& k) { ++k.async_built; });
      e.kind = OutboxEvent::Kind::AsyncBuilt;
      e.blocks = r.total_parts;
    } else {
      r.last_error = built.error().message();
      e.message = *r.last_error;
      e.attempt = ++r.attempts;
      if (static_cast<int>(r.attempts) >= options_.async_build_attempts) {
        r.state = storage::AsyncState::Failed;
        count([](OutboxCounters& k) { ++k.async_failed; });
        e.kind = OutboxEvent::Kind::AsyncFailed;
      } else {
        const auto delay = backoff(r.attempts - 1);
        r.next_attempt = after(delay);
        e.kind = OutboxEvent::Kind::Failed;
        e.retry_in_ms = delay.count();
      }
    }
    (void)store_.results().release_async_result(r, worker);
    emit(e);
    if (r.state == storage::AsyncState::Ready && r.delivery) wake();  // its parts are due now
    return;
  }
  // Ready, with parts to push: one part per claim, in order; the count of acknowledged parts
  // is the cursor.
  e.address = r.delivery ? r.delivery->address : std::string();
  const uint64_t part = r.parts_pushed + 1;
  Status sent = ok_status();
  uint64_t blocks = 0;
  auto m = async_part_message(store_, r, part, queries_);
  if (!m.ok()) {
    sent = m.error();
  } else if (!r.delivery) {
    sent = Error::failure("no delivery parameters");
  } else {
    blocks = m->content_blocks.size();
    auto prepared = prepare_push(*m, *r.delivery);
    if (!prepared.ok()) {
      sent = prepared.error();
    } else {
      auto reply = sender.post(prepared->to, prepared->headers, prepared->body);
      sent = reply.ok() ? judge_reply(*reply) : Status(reply.error());
    }
  }
  if (sent.ok()) {
    r.parts_pushed = part;
    r.attempts = 0;
    r.last_error.reset();
    r.next_attempt = Timestamp::from_micros(0);
    count([blocks](OutboxCounters& k) {
      ++k.messages;
      k.blocks += blocks;
    });
    e.kind = OutboxEvent::Kind::Delivered;
    e.blocks = blocks;
  } else {
    const auto delay = backoff(r.attempts);
    r.last_error = sent.error().message();
    e.attempt = ++r.attempts;
    r.next_attempt = after(delay);
    count([](OutboxCounters& k) { ++k.failures; });
    e.kind = OutboxEvent::Kind::Failed;
    e.retry_in_ms = delay.count();
    e.message = *r.last_error;
  }
  (void)store_.results().release_async_result(r, worker);
  emit(e);
}

}  // namespace taxii::services
