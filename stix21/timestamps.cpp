#include "stix21/timestamps.hpp"

namespace taxii::stix21 {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "YYYY-MM-DDTHH:MM:SS" with digits and separators where STIX 2.1 §2.16 puts them.
bool date_time_shape(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < kShape.size()) return false;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !is_digit(s[i]) : s[i] != kShape[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<StixTime> parse_stix_timestamp(std::string_view s) {
  if (!date_time_shape(s) || s.back() != 'Z') return std::nullopt;
  if (s[11] == '2' && s[12] == '4') return std::nullopt;  // 24:00:00 is not a STIX time
  // The calendar checks (month length, leap years, ranges) are core's (RFC 3339 §5.7).
  std::string whole(s.substr(0, 19));
  whole += 'Z';
  const auto base = Timestamp::parse(whole);
  if (!base) return std::nullopt;
  StixTime t;
  t.seconds = base->micros() / 1000000;
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    uint32_t scale = 100000000;
    while (pos < s.size() && is_digit(s[pos])) {
      const uint32_t d = static_cast<uint32_t>(s[pos] - '0');
      if (t.fraction_digits < 9) {
        t.nanos += d * scale;
        scale /= 10;
      } else if (d != 0) {
        return std::nullopt;  // finer than a nanosecond: would collide with another instant
      }
      ++t.fraction_digits;
      ++pos;
    }
    if (t.fraction_digits == 0) return std::nullopt;
  }
  if (pos + 1 != s.size()) return std::nullopt;  // exactly one trailing 'Z'
  return t;
}

std::string version_key(const StixTime& t) {
  std::string k = Timestamp::from_micros(t.seconds * 1000000).to_string().substr(0, 19);
  char frac[10];
  uint32_t n = t.nanos;
  for (int i = 8; i >= 0; --i) {
    frac[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  frac[9] = 'Z';
  k += '.';
  k.append(frac, 10);
  return k;
}

std::optional<std::string> stix_version_key(std::string_view s) {
  const auto t = parse_stix_timestamp(s);
  if (!t) return std::nullopt;
  return version_key(*t);
}

std::optional<Timestamp> timestamp_of_version_key(std::string_view key) {
  const auto t = parse_stix_timestamp(key);
  if (!t) return std::nullopt;
  return Timestamp::from_micros(t->seconds * 1000000 + t->nanos / 1000);
}

std::string format_taxii_timestamp(Timestamp t) {
  return Timestamp::from_micros(t.micros(), 0).to_string();
}

std::optional<Timestamp> parse_added_after(std::string_view s) { return timestamp_of_version_key(s); }

}  // namespace taxii::stix21
