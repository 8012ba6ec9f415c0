// OutboxWorker: the background deliverer of one taxiid (docs/subscriptions.md). Its threads
// claim work from the Store's outbox and do it:
// - push subscriptions with content above their cursor: send the next batch (push_message.hpp)
//   to the subscriber's Inbox and, only after its SUCCESS, advance the cursor; on any failure
//   (network, TLS, non-SUCCESS status) record it and retry after an exponential backoff with
//   jitter, capped. One subscription is worked on by one thread of one instance at a time (a
//   lease), so its batches go out in order.
// - asynchronous poll results: build them (async_poll.hpp), then push their parts one by one
//   to their Delivery_Parameters, if any.
// State is in the store only: a restart, or another instance after the lease expires, carries
// on from the last acknowledged batch. Paused subscriptions are not claimed, so they deliver
// nothing and continue from their cursor on RESUME (Services 1.1 §5.4.2); an unsubscribed one
// is gone. Threads sleep `interval` when idle; wake() (new content, a new subscription, an
// accepted asynchronous poll) cuts thread 0's sleep short, no sooner than 10 ms after its
// previous round (a burst of wakes makes one round); a thread that finds work wakes another.
//
// Store: the subscription slice (push claims, cursors), the result slice (asynchronous
// results) and the content slice (what is pushed). A store failure is a failed attempt: a
// claim that fails is tried again next round; a failing complete_push leaves the cursor where
// it was, so the batch is sent again (the receiving inbox skips what it has: exactly-once).
// Time: `clock` gives the claims' "now", lease ends and retry times (core/clock.hpp); idle
// waits use the condition variables' steady clock.
//
// Events (deliveries, failures, metrics) go to the EventLog callback, from the worker threads.
// Thread-safe; start() and stop() from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bindings/query/query_format.hpp"
#include "core/clock.hpp"
#include "services/push/push_message.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

struct PushOptions {
  uint64_t max_blocks = 100;                        // content blocks per pushed Inbox_Message
  std::size_t threads = 2;                          // delivery threads
  std::chrono::milliseconds interval{1000};         // outbox check period when idle
  std::chrono::milliseconds retry_initial{1000};    // first retry delay; doubled per failure
  std::chrono::milliseconds retry_max{300000};      // cap of the retry delay
  std::chrono::seconds lease{120};                  // how long a claim holds (> sender timeout)
  int async_build_attempts = 5;                     // then an asynchronous result is Failed
};

struct OutboxCounters {
  uint64_t messages = 0;       // Inbox_Messages acknowledged with SUCCESS
  uint64_t blocks = 0;         // content blocks in them
  uint64_t failures = 0;       // failed attempts (each is retried later)
  uint64_t async_built = 0;    // asynchronous results built
  uint64_t async_failed = 0;   // asynchronous results given up
};

struct OutboxEvent {
  enum class Kind { Delivered, Failed, AsyncBuilt, AsyncFailed, Metrics };
  Kind kind = Kind::Metrics;
  std::string id;        // subscription or result id
  std::string address;   // the inbox
  uint64_t blocks = 0;
  uint32_t attempt = 0;  // Failed: failures in a row, this one included
  int64_t retry_in_ms = 0;
  std::string message;
  OutboxCounters counters;  // Metrics
};

class OutboxWorker {
 public:
  using SenderFactory = std::function<std::unique_ptr<PushSender>()>;
  using EventLog = std::function<void(const OutboxEvent&)>;

  // queries: the server's query formats, for subscriptions and asynchronous polls with a
  // query (issue #10); null: none (such work fails and is retried, then given up).
  using Stores = storage::StoreSlices<storage::ContentStore, storage::ResultStore, storage::SubscriptionStore>;
  OutboxWorker(std::shared_ptr<const Topology> topology, Stores store, SenderFactory senders, PushOptions options,
               EventLog log = {}, const query::QueryFormatRegistry* queries = nullptr,
               const Clock& clock = SystemClock::instance());
  ~OutboxWorker();  // stop()
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  void start();
  // Finishes the exchanges in flight (at most the sender's timeout), then joins the threads.
  void stop();
  void wake();
  OutboxCounters counters() const;

  // One round on the calling thread with `sender`: claims due work and does it. True if
  // anything was claimed (for tests and the threads' loop).
  bool run_once(PushSender& sender, const std::string& worker_id);

 private:
  void loop(std::size_t n);
  void deliver(PushSender& sender, const std::string& worker, const storage::Subscription& s);
  void work_async(PushSender& sender, const std::string& worker, storage::AsyncResult r);
  std::chrono::milliseconds backoff(uint32_t failures);
  Timestamp after(std::chrono::milliseconds d) const;
  void count(const std::function<void(OutboxCounters&)>& f);
  void maybe_log_metrics(bool force);
  void emit(const OutboxEvent& e) const;

  std::shared_ptr<const Topology> topology_;
  Stores store_;
  SenderFactory senders_;
  PushOptions options_;
  EventLog log_;
  const query::QueryFormatRegistry* queries_ = nullptr;
  const Clock& clock_;
  std::string instance_;  // host:pid:random, prefix of each thread's worker id

  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;       // threads 1.. wait here (recruits_, stop)
  std::condition_variable wake_cv_;  // thread 0 waits here (wakes_, stop)
  bool stopping_ = false;
  uint64_t wakes_ = 0;
  uint64_t recruits_ = 0;
  bool first_asleep_ = false;  // thread 0 waits for a wake
  OutboxCounters counters_;
  bool counters_changed_ = false;
  std::chrono::steady_clock::time_point last_metrics_{};
  std::vector<std::thread> threads_;
};

}  // namespace taxii::services
