// libFuzzer target: the XML message binding of both versions. Any input must yield a
// Message or a BadMessage error; a parsed message must serialize, and the result must
// parse again to an equal message (the binding is its own oracle).
//
// Differential oracle for the payload fast path (bindings/xml/payload_scan.hpp): the input
// also goes through parse_document (fast path where it applies) and parse_document_full
// (every byte through Xerces); both must accept or refuse alike, with the same error text,
// and map to the same Message. The fuzzer's seeds include STIX-carrying Inbox messages
// large enough for the fast path (it skips payloads under 1 KiB).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bindings/xml/binding_internal.hpp"
#include "bindings/xml/message_binding.hpp"
#include "bindings/xml/xml_document.hpp"

namespace {

using namespace taxii;

Result<Message> map(const Result<xml::XmlDocument>& doc) {
  if (!doc.ok()) return doc.error();
  return xml::map_any(*doc);
}

void differential(std::string_view body, const xml::ParseLimits& limits) {
  auto fast = xml::parse_document(body, limits);
  auto full = xml::parse_document_full(body, limits);
  if (fast.ok() != full.ok()) std::abort();
  if (!fast.ok()) {
    if (fast.error().message() != full.error().message()) std::abort();
    return;
  }
  auto a = map(fast);
  auto b = map(full);
  if (a.ok() != b.ok()) std::abort();
  if (a.ok() ? !(*a == *b) : a.error().message() != b.error().message()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  xml::ParseLimits limits;
  limits.max_bytes = 4u << 20;  // tools/fuzz.sh's -max_len: the shape seeds (up to ~3 MB) get parsed
  differential(body, limits);
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
