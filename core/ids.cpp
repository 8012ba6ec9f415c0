#include "core/ids.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>

namespace taxii {
namespace {
uint64_t random64() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}
}  // namespace

std::string generate_message_id() {
  // A random prefix per process plus a counter: unique, and never reused while waiting.
  static const uint64_t prefix = random64() % 1000000000ULL;
  static std::atomic<uint64_t> counter{1};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu%010llu", static_cast<unsigned long long>(prefix + 1),
                static_cast<unsigned long long>(counter.fetch_add(1) % 10000000000ULL));
  return buf;
}

std::string generate_uuid() {
  const uint64_t a = random64();
  const uint64_t b = random64();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0x0FFF),
                static_cast<unsigned>(((b >> 48) & 0x3FFF) | 0x8000),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace taxii
