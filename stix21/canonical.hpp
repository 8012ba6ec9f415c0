// The canonical form of a JSON value, behind NewObject::digest: two STIX objects with the same
// content get the same digest whatever the member order, escapes or number spelling
// (TAXII 2.1 §5.5 duplicates; STIX 2.1 §3.6 "same id and version"). Pure; thread-safe.
//
// Form (docs: stix21 design, "canonical form"): compact JSON; object members sorted by the
// UTF-8 bytes of their (unescaped) names, i.e. by code point; strings re-escaped as
// JsonWriter::quote_into does (only '"', '\\' and control characters escaped); integers in
// decimal; a double that is an integer of magnitude below 2^53 written as that integer (1.0,
// 1e0 and 1 are one value), -0 as 0, other doubles in simdjson's shortest round-trip form.
// The same walk refuses what the digest could not represent faithfully: a member name twice in
// one object (RFC 7493 §2.3), and `*_ref`/`*_refs` members that are not identifiers
// (STIX 2.1 §2.9, §3.1) — except below a top-level `objects` member, where observed-data's
// deprecated observables refer to each other by dictionary key (STIX 2.1 §4.13).
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

namespace taxii::stix21 {

// Appends the canonical form of `value` to `out`. On a refused value returns false and sets
// `error` (naming the member and where it is). Recursion depth = the value's JSON depth, which
// the DOM parser has already bounded.
bool canonical_json(simdjson::dom::element value, std::string& out, std::string& error);

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace taxii::stix21
