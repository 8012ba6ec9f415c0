#include "stix21/cursor.hpp"

#include <cstdint>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace taxii::stix21 {
namespace {

constexpr unsigned char kFormat = 1;
constexpr std::size_t kHashBytes = 16;
constexpr std::size_t kMacBytes = 32;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

// RFC 4648 §5 without padding; nullopt on any other character or a dangling partial byte.
std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

std::string hash16(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), kHashBytes);
}

std::string mac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n);
  return std::string(reinterpret_cast<const char*>(md), kMacBytes);
}

// Reads the fields after the MAC checked out.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool bytes(std::size_t n, std::string_view& out) {
    if (s_.size() - pos_ < n) return false;
    out = s_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool u64(uint64_t& v) {
    std::string_view b;
    if (!bytes(8, b)) return false;
    v = 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    return true;
  }
  bool u(std::size_t width, std::size_t& v) {
    std::string_view b;
    if (!bytes(width, b)) return false;
    v = 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    return true;
  }
  bool done() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

Error invalid() { return Error::bad_message("next: not a valid continuation value of this server (TAXII 2.1 §3.5)"); }

}  // namespace

std::string encode_cursor(const storage::ObjectQuery::After& after, std::string_view fingerprint,
                          std::string_view principal, Timestamp expires, std::string_view key) {
  std::string raw;
  raw += static_cast<char>(kFormat);
  put_u64(raw, static_cast<uint64_t>(after.date_added.micros()));
  const std::size_t id_len = std::min<std::size_t>(after.id.size(), 1024);
  raw += static_cast<char>(id_len >> 8);
  raw += static_cast<char>(id_len & 0xFF);
  raw.append(after.id, 0, id_len);
  const std::size_t key_len = std::min<std::size_t>(after.version_key.size(), 255);
  raw += static_cast<char>(key_len);
  raw.append(after.version_key, 0, key_len);
  raw += hash16(fingerprint);
  raw += hash16(principal);
  put_u64(raw, static_cast<uint64_t>(expires.micros()));
  raw += mac(key, raw);
  return base64url(raw);
}

Result<storage::ObjectQuery::After> decode_cursor(std::string_view next, std::string_view fingerprint,
                                                  std::string_view principal, Timestamp now, std::string_view key) {
  if (next.size() > kMaxCursorLength) return invalid();
  const auto raw = unbase64url(next);
  if (!raw || raw->size() < 1 + kMacBytes) return invalid();
  const std::string_view body = std::string_view(*raw).substr(0, raw->size() - kMacBytes);
  const std::string expected = mac(key, body);
  if (CRYPTO_memcmp(expected.data(), raw->data() + body.size(), kMacBytes) != 0) return invalid();
  Reader r(body);
  std::string_view format, id, vkey, query_hash, principal_hash;
  uint64_t date_added = 0, expiry = 0;
  std::size_t id_len = 0, key_len = 0;
  if (!r.bytes(1, format) || static_cast<unsigned char>(format[0]) != kFormat || !r.u64(date_added) ||
      !r.u(2, id_len) || !r.bytes(id_len, id) || !r.u(1, key_len) || !r.bytes(key_len, vkey) ||
      !r.bytes(kHashBytes, query_hash) || !r.bytes(kHashBytes, principal_hash) || !r.u64(expiry) || !r.done()) {
    return invalid();
  }
  if (query_hash != hash16(fingerprint)) {
    return Error::bad_message("next: the continuation value belongs to a query with other filters; "
                              "repeat the original filters (TAXII 2.1 §3.5)");
  }
  if (principal_hash != hash16(principal)) {
    return Error::bad_message("next: the continuation value was issued to another user (TAXII 2.1 Appendix B)");
  }
  if (static_cast<int64_t>(expiry) < now.micros()) {
    return Error::bad_message("next: the continuation value has expired; restart from X-TAXII-Date-Added-Last "
                              "(TAXII 2.1 §3.5)");
  }
  storage::ObjectQuery::After after;
  after.date_added = Timestamp::from_micros(static_cast<int64_t>(date_added));
  after.id = std::string(id);
  after.version_key = std::string(vkey);
  return after;
}

}  // namespace taxii::stix21
