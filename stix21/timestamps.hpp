// STIX 2.1 and TAXII 2.1 timestamps. Pure functions; thread-safe.
//
// A STIX timestamp (STIX 2.1 §2.16) is RFC 3339 in UTC: "YYYY-MM-DDTHH:MM:SS[.s+]Z", uppercase
// T and Z, any number of fraction digits (none or at least one). A TAXII timestamp (TAXII 2.1 §2)
// is the same with exactly six fraction digits. Versions are compared as instants (TAXII 2.1
// §3.4.1, STIX 2.1 §3.6), so "...:00.1Z" and "...:00.100Z" are one version; version_key() gives
// every instant one fixed-width text that sorts like the instant (storage/objects.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"

namespace taxii::stix21 {

// A parsed STIX timestamp: whole seconds since the Unix epoch (UTC) and nanoseconds.
struct StixTime {
  int64_t seconds = 0;
  uint32_t nanos = 0;
  int fraction_digits = 0;  // as written (0 when there was no fraction)
};

// Parses a STIX timestamp (STIX 2.1 §2.16). Years 0000-9999; seconds 00-59 (no leap second:
// nothing in STIX or TAXII needs one and it would have no instant of its own). More than nine
// fraction digits are accepted only when every digit after the ninth is 0, so that no two
// different instants share a version_key (docs: stix21 design, "timestamps").
std::optional<StixTime> parse_stix_timestamp(std::string_view s);

// "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ": 30 characters, sorts as the instant does.
std::string version_key(const StixTime& t);
// parse_stix_timestamp + version_key; nullopt when `s` is not a STIX timestamp.
std::optional<std::string> stix_version_key(std::string_view s);

// The instant of a version_key as a core Timestamp (microseconds, truncated).
std::optional<Timestamp> timestamp_of_version_key(std::string_view key);

// A TAXII timestamp (TAXII 2.1 §2): UTC, six fraction digits, "Z". Used for date_added,
// request_timestamp and the X-TAXII-Date-Added-* headers.
std::string format_taxii_timestamp(Timestamp t);

// The value of `added_after` (TAXII 2.1 §3.4). §2 defines six fraction digits, but the spec's
// own examples and the clients send 0-9 (taxii2-client drops a zero fraction): any STIX
// timestamp is accepted. Digits beyond microseconds are truncated, which keeps "date_added >
// value" exact because date_added has microsecond precision.
std::optional<Timestamp> parse_added_after(std::string_view s);

}  // namespace taxii::stix21
