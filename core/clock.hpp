// Clock: where the code reads the time of day or waits (async-poll expiry, outbox back-off,
// RETRY waits, store timestamps). Production passes SystemClock; tests pass a ManualClock and
// move it, so expiry and back-off are tested without sleeping.
// Implementations are safe to share between threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "core/timestamp.hpp"

namespace taxii {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current instant (UTC).
  virtual Timestamp now() const = 0;
  // Waits d (a ManualClock advances itself by d instead).
  virtual void sleep_for(std::chrono::milliseconds d) const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override { return Timestamp::now(); }
  void sleep_for(std::chrono::milliseconds d) const override { std::this_thread::sleep_for(d); }
  // The process-wide instance, for code that is not handed a Clock.
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to (or when something sleeps on it).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = Timestamp::from_micros(1'600'000'000'000'000))
      : micros_(start.micros()) {}
  Timestamp now() const override { return Timestamp::from_micros(micros_.load()); }
  void sleep_for(std::chrono::milliseconds d) const override { advance(d); }
  void advance(std::chrono::microseconds d) const { micros_ += d.count(); }
  void set(Timestamp t) const { micros_ = t.micros(); }

 private:
  mutable std::atomic<int64_t> micros_;
};

}  // namespace taxii
