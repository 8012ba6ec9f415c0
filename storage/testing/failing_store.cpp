#include "storage/testing/failing_store.hpp"

#include <utility>

namespace taxii::storage::testing {

void FailingStore::fail(Fault f) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(Rule{std::move(f)});
}

void FailingStore::heal() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

uint64_t FailingStore::calls(StoreCall c) const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_[static_cast<std::size_t>(c)];
}

uint64_t FailingStore::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

Injection FailingStore::inject(StoreCall c) {
  std::lock_guard<std::mutex> lock(mu_);
  ++calls_[static_cast<std::size_t>(c)];
  Injection out;
  for (Rule& r : rules_) {
    if (r.fault.call && *r.fault.call != c) continue;
    ++r.matched;
    const bool due = r.matched >= r.fault.nth && (r.fault.times == 0 || r.fired < r.fault.times);
    if (!due || out.error) continue;
    ++r.fired;
    ++failures_;
    // A storage error as the real stores give it: Failure, the details in the message.
    out.error = Error::failure(r.fault.message + " (" + std::string(call_name(c)) + ")");
    out.after_call = r.fault.after_call;
    out.after_blocks = r.fault.after_blocks;
  }
  return out;
}

}  // namespace taxii::storage::testing
