#include "taxii21/cursor_key.hpp"

#include <openssl/rand.h>

#include "core/timestamp.hpp"

namespace taxii::taxii21 {
namespace {

std::string random_hex(std::size_t bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) return {};
  std::string out;
  for (const char c : raw) {
    out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
    out += kHex[static_cast<unsigned char>(c) & 0xf];
  }
  return out;
}

}  // namespace

std::string cursor_key(const Taxii2Config& config, storage::ObjectStore& store, std::string& warning) {
  if (!config.cursor_secret.empty()) return "secret:" + config.cursor_secret;
  auto found = store.get_status(kCursorKeyRecord);
  if (found.ok() && found.value()) return found.value()->body;
  const std::string fresh = random_hex(32);
  if (found.ok()) {
    storage::StatusRecord r;
    r.id = kCursorKeyRecord;
    r.complete = false;  // never swept
    r.request_timestamp = r.updated = Timestamp::now();
    r.body = fresh;
    auto put = store.put_status(r);
    auto again = put.ok() ? store.get_status(kCursorKeyRecord) : Result<std::optional<storage::StatusRecord>>(put.error());
    if (again.ok() && again.value()) return again.value()->body;
    warning = "cannot keep the TAXII 2.1 cursor key in the store: " + (again.ok() ? std::string("not found") : again.error().message());
  } else {
    warning = "cannot read the TAXII 2.1 cursor key from the store: " + found.error().message();
  }
  warning += "; `next` values of this instance are valid here only (set taxii2.cursor_secret)";
  return fresh;
}

}  // namespace taxii::taxii21
