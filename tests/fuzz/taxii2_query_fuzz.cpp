// libFuzzer target: TAXII 2.1 URL filters and `next` cursors (stix21/query.hpp, cursor.hpp).
// The first byte picks the endpoint, the rest is the raw query string. Oracles: a parsed
// query's filters give one fingerprint; a cursor encoded for it decodes to the same position
// (and encoding that position again gives the same text)
// under that fingerprint and principal and is refused under another principal, another
// fingerprint, another key or after its expiry; the raw input taken as a `next` value never
// verifies; parse time stays linear (checked by libFuzzer's -timeout and slow-unit report).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "stix21/cursor.hpp"
#include "stix21/query.hpp"

namespace {

[[noreturn]] void oracle(const char* what) {
  std::fprintf(stderr, "oracle: %s\n", what);
  std::abort();
}

const std::string kKey(32, 'k');

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace taxii;
  using namespace taxii::stix21;
  if (size == 0) return 0;
  const auto endpoint = static_cast<Endpoint>(data[0] % 5);
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    auto parsed = parse_query(raw, endpoint);
    const Timestamp now = Timestamp::from_micros(1700000000000000);
    if (decode_cursor(raw, "", "", now, kKey).ok()) oracle("an arbitrary value verified as a cursor");
    if (!parsed.ok()) {
      if (parsed.error().message().empty()) oracle("a refusal without a message");
      return 0;
    }
    const auto& q = parsed->query;
    if (q.all_versions && (q.first || q.last || !q.version_keys.empty())) oracle("'all' combined with others");
    const std::string fp = filter_fingerprint(endpoint, q);
    if (fp != filter_fingerprint(endpoint, parsed->query)) oracle("fingerprint is not a function");
    // A position built from the input (the cursor must carry any bytes).
    storage::ObjectQuery::After pos{Timestamp::from_micros(static_cast<int64_t>(size) * 977 - 5000),
                                    std::string(raw.substr(0, 1024)),
                                    q.version_keys.empty() ? std::string() : q.version_keys.front()};
    const Timestamp expires = Timestamp::from_micros(now.micros() + 1);
    const std::string next = encode_cursor(pos, fp, parsed->next, expires, kKey);
    if (next.size() > kMaxCursorLength) oracle("cursor longer than decode_cursor accepts");
    auto back = decode_cursor(next, fp, parsed->next, now, kKey);
    if (!back.ok()) oracle("a fresh cursor is refused");
    if (back->id != pos.id || back->version_key != pos.version_key || back->date_added.micros() != pos.date_added.micros())
      oracle("cursor round trip changed the position");
    if (encode_cursor(*back, fp, parsed->next, expires, kKey) != next) oracle("encode(decode(next)) != next");
    if (decode_cursor(next, fp, parsed->next + "x", now, kKey).ok()) oracle("cursor accepted for another principal");
    if (decode_cursor(next, fp + "x", parsed->next, now, kKey).ok()) oracle("cursor accepted for other filters");
    if (decode_cursor(next, fp, parsed->next, Timestamp::from_micros(expires.micros() + 1), kKey).ok())
      oracle("expired cursor accepted");
    if (decode_cursor(next, fp, parsed->next, now, std::string(32, 'j')).ok()) oracle("cursor accepted under another key");
  } catch (...) {
    std::abort();  // nothing may be thrown out of the parsers
  }
  return 0;
}
