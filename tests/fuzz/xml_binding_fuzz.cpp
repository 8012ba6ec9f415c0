// libFuzzer target: the XML message binding of both versions. Any input must yield a
// Message or a BadMessage error; a parsed message must serialize, and the result must
// parse again to an equal message (the binding is its own oracle).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bindings/xml/message_binding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace taxii;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  xml::ParseLimits limits;
  limits.max_bytes = 1u << 20;
  auto m = xml::parse_any(body, limits);
  if (!m.ok()) {
    if (m.error().type() != StatusType::BadMessage) std::abort();
    return 0;
  }
  auto s = xml::serialize_any(*m);
  if (!s.ok()) return 0;  // a parsed message may break a rule only the writer checks
  auto again = xml::parse_any(*s);
  if (!again.ok() || !(*again == *m)) std::abort();
  return 0;
}
