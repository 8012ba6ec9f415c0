#include "core/timestamp.hpp"

#include <chrono>
#include <cstdio>

namespace taxii {
namespace {

// Howard Hinnant's days-from-civil algorithm (public domain description).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<Timestamp> parse_impl(std::string_view s, bool lenient) {
  // Leading/trailing whitespace is collapsed by xs:dateTime's whiteSpace facet.
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  int year, mon, day, hh, mm, ss;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mon) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && !(lenient && s[10] == 't')) ||
      !digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) || s[16] != ':' ||
      !digits(s, 17, 2, ss))
    return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int mdays = kDays[mon - 1] + (mon == 2 && leap(year) ? 1 : 0);
  if (day > mdays) return std::nullopt;
  // xs:dateTime allows 24:00:00 exactly (end of day); TAXII labels never need it.
  if (hh > 24 || mm > 59 || ss > 59 || (hh == 24 && (mm != 0 || ss != 0))) return std::nullopt;
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++n;
      ++pos;
    }
    if (n == 0 || (!lenient && n > 6)) return std::nullopt;
  }
  int offset = 0;
  if (pos == s.size()) {
    if (!lenient) return std::nullopt;
  } else if (s[pos] == 'Z' || (lenient && s[pos] == 'z')) {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 14 || om > 59)
      return std::nullopt;
    offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t days = days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - static_cast<int64_t>(offset) * 60;
  return Timestamp::from_micros(secs * 1000000 + frac, offset);
}

}  // namespace

std::optional<Timestamp> Timestamp::parse(std::string_view s) { return parse_impl(s, false); }
std::optional<Timestamp> Timestamp::parse_lenient(std::string_view s) { return parse_impl(s, true); }

Timestamp Timestamp::now() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return from_micros(us, 0);
}

std::string Timestamp::to_string() const {
  const int64_t local = micros_ + static_cast<int64_t>(offset_min_) * 60 * 1000000;
  int64_t secs = local / 1000000;
  int64_t us = local % 1000000;
  if (us < 0) {
    us += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  // Formatted by hand: snprintf was most of this function's cost, and a poll writes one
  // label per block (taxiid into the answer, the client into each file name).
  char buf[48];
  char* o = buf;
  auto digits = [&o](uint64_t v, int width) {
    char* end = o + width;
    for (char* p = end; p != o;) {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    o = end;
  };
  if (y < 0) {
    *o++ = '-';
    y = -y;
  }
  int width = 4;  // %04lld: at least four digits
  for (uint64_t t = static_cast<uint64_t>(y) / 10000; t != 0; t /= 10) ++width;
  digits(static_cast<uint64_t>(y), width);
  *o++ = '-';
  digits(m, 2);
  *o++ = '-';
  digits(d, 2);
  *o++ = 'T';
  digits(static_cast<uint64_t>(rem / 3600), 2);
  *o++ = ':';
  digits(static_cast<uint64_t>(rem / 60 % 60), 2);
  *o++ = ':';
  digits(static_cast<uint64_t>(rem % 60), 2);
  *o++ = '.';
  digits(static_cast<uint64_t>(us), 6);
  if (offset_min_ == 0) {
    *o++ = 'Z';
  } else {
    const int a = offset_min_ < 0 ? -offset_min_ : offset_min_;
    *o++ = offset_min_ < 0 ? '-' : '+';
    digits(static_cast<uint64_t>(a / 60), 2);
    *o++ = ':';
    digits(static_cast<uint64_t>(a % 60), 2);
  }
  return std::string(buf, static_cast<size_t>(o - buf));
}

std::ostream& operator<<(std::ostream& os, const Timestamp& t) { return os << t.to_string(); }

}  // namespace taxii
