// The engine's clock and its meter of slow peers (EngineOptions::min_data_rate; issue #20,
// docs/security.md "Slow clients").
//
// Thread ownership:
//   - IoMeter::since and IoMeter::bytes are atomics: the thread that holds the connection (a
//     worker inside a read or write, or the reactor writing an answer behind) adds to them; the
//     reactor's sweep reads them.
//   - IoMeter::window (and every RateWindow) is the reactor's alone: only the sweep
//     (rate_meter.cpp) and the reactor's hand-over points read or reset it. A worker clears a
//     connection's window only while the reactor cannot see that connection (in_worker).
// The sweep itself (HttpServer::Impl::sweep, in rate_meter.cpp) runs on the reactor thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace taxii::http::engine {

// Milliseconds of the steady clock: the engine's deadlines.
inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The rule: at least `need` bytes over each window of `grace_ms` (need 0: no check).
struct RateRule {
  int64_t grace_ms = 0;
  uint64_t need = 0;
};

// One measuring window of a byte counter.
struct RateWindow {
  int64_t start = 0;     // ms; 0: not started
  uint64_t at_start = 0;  // the counter when it started

  bool started() const { return start != 0; }
  void begin(int64_t now, uint64_t counter) {
    start = now;
    at_start = counter;
  }
  void clear() { start = 0; }
  // When a whole window has passed: whether fewer than rule.need bytes moved in it; the next
  // window starts now. Before that (or without a rule): false, and the window goes on.
  bool below(int64_t now, uint64_t counter, const RateRule& rule) {
    if (rule.need == 0 || now - start < rule.grace_ms) return false;
    const bool slow = counter - at_start < rule.need;
    begin(now, counter);
    return slow;
  }
};

// What the reactor's sweep needs to judge a worker's exchange with a slow peer: whether the
// worker is inside a read or a write on the socket now (since when), and how many bytes have
// moved.
struct IoMeter {
  std::atomic<int64_t> since{0};   // ms; 0: not in I/O
  std::atomic<uint64_t> bytes{0};  // moved in either direction since the connection opened
  RateWindow window;               // reactor (sweep) only

  void add(uint64_t n) { bytes.fetch_add(n, std::memory_order_relaxed); }
};

// Marks the worker as inside socket I/O (IoMeter::since) for the reactor's rate check;
// nested scopes keep the outermost start.
class Metered {
 public:
  explicit Metered(IoMeter& m) : m_(m), outer_(m.since.load(std::memory_order_relaxed) != 0) {
    if (!outer_) m_.since.store(now_ms(), std::memory_order_relaxed);
  }
  ~Metered() {
    if (!outer_) m_.since.store(0, std::memory_order_relaxed);
  }
  Metered(const Metered&) = delete;
  Metered& operator=(const Metered&) = delete;

 private:
  IoMeter& m_;
  bool outer_;
};

}  // namespace taxii::http::engine
