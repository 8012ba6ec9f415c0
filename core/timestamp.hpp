// Timestamps of TAXII messages and Timestamp Labels (Services 1.1 §4.1.4; XML 1.1 §2.2.1):
// an RFC 3339 date-time with a zone and at most 6 fractional digits, held as microseconds
// since the Unix epoch (UTC) plus the zone offset the writer used. Value type; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace taxii {

class Timestamp {
 public:
  Timestamp() = default;
  static Timestamp from_micros(int64_t micros_utc, int offset_minutes = 0) {
    Timestamp t;
    t.micros_ = micros_utc;
    t.offset_min_ = offset_minutes;
    return t;
  }
  // Strict: the XML binding's TimestampLabelType (zone required, 0-6 fraction digits).
  static std::optional<Timestamp> parse(std::string_view s);
  // Lenient: also accepts a missing zone (taken as UTC) and any number of fraction digits
  // (truncated to microseconds). For query parameters sent by libtaxii (docs/spec-notes.md P2).
  static std::optional<Timestamp> parse_lenient(std::string_view s);
  static Timestamp now();

  int64_t micros() const { return micros_; }
  int offset_minutes() const { return offset_min_; }
  // RFC 3339 text in the writer's zone, with 6 fraction digits ("Z" for UTC).
  std::string to_string() const;

  // Equality is of the whole value (instant and zone) so that round trips are exact;
  // ordering is by instant.
  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.micros_ == b.micros_ && a.offset_min_ == b.offset_min_;
  }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) { return !(a == b); }
  friend bool operator<(const Timestamp& a, const Timestamp& b) { return a.micros_ < b.micros_; }
  friend bool operator<=(const Timestamp& a, const Timestamp& b) { return a.micros_ <= b.micros_; }
  friend bool operator>(const Timestamp& a, const Timestamp& b) { return a.micros_ > b.micros_; }
  friend bool operator>=(const Timestamp& a, const Timestamp& b) { return a.micros_ >= b.micros_; }

 private:
  int64_t micros_ = 0;
  int offset_min_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Timestamp& t);

}  // namespace taxii
