// FailingStore: a StoreWrapper that fails chosen calls with a storage error (Failure), to test
// what the services do when the store fails mid-way: by method, by the Nth matching call, for
// a number of calls, before the call reaches the wrapped store or after it (the work is done,
// the caller is told it failed), and scans after some blocks.
//
//   storage::testing::FailingStore store(real);
//   store.fail({StoreCall::Append});                       // the next append() fails
//   store.fail({StoreCall::PutResultPart, /*nth=*/2});      // the second put_result_part from now
//   Fault f{StoreCall::Scan};  f.after_blocks = 3;  store.fail(f);   // a scan breaks after 3 blocks
//
// Library taxii_store_testing, for tests only. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/testing/store_wrapper.hpp"

namespace taxii::storage::testing {

struct Fault {
  std::optional<StoreCall> call;  // the method (none: any method)
  uint64_t nth = 1;               // the nth matching call from now fails (1: the next one)
  uint64_t times = 1;             // this many matching calls fail from there on (0: all of them)
  bool after_call = false;        // the call reaches the store first; its result is replaced
  uint64_t after_blocks = 0;      // scan(): fails after handing this many blocks to the visitor
  std::string message = "injected store failure";
};

class FailingStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;

  // Adds a rule; a call is judged by every rule in the order added, the first that fires wins
  // (every rule matching the call counts it).
  void fail(Fault f);
  // Removes every rule (the counts stay).
  void heal();
  // Calls of method c seen so far (failed ones included).
  uint64_t calls(StoreCall c) const;
  // Calls failed so far.
  uint64_t failures() const;

 protected:
  Injection inject(StoreCall c) override;

 private:
  struct Rule {
    Fault fault;
    uint64_t matched = 0;
    uint64_t fired = 0;
  };

  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::array<uint64_t, kStoreCalls> calls_{};
  uint64_t failures_ = 0;
};

}  // namespace taxii::storage::testing
