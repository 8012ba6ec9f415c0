// The body of Add Objects (TAXII 2.1 §5.5): an `envelope` (§3.7) parsed into one result per
// element of `objects`, each either a storage::NewObject ready for ObjectStore::add_objects or
// a failure for the status resource (§4.3.1). Pure; thread-safe (each call has its own parser).
//
// Two levels of errors (TAXII 2.1 §5.5; docs: stix21 design):
//  - the whole body: not JSON, invalid UTF-8, nested too deep, a number out of range, not an
//    envelope, a duplicate member name outside the elements of `objects`, too many objects.
//    The REST layer answers these with an HTTP error (http_status()).
//  - one object: anything the STIX 2.1 checks refuse (STIX 2.1 §2.9, §2.16, §3.1, §3.2), a
//    duplicate member name inside it, its size. It becomes a `failures` entry; the rest of the
//    envelope proceeds (HTTP 202).
//
// Cost: one simdjson DOM parse (linear) plus one walk of each object; sorting member names is
// O(k log k) per JSON object of k members. Nothing recurses deeper than Limits::max_depth.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/objects.hpp"

namespace taxii::stix21 {

struct EnvelopeLimits {
  std::size_t max_objects = 10000;        // elements of `objects`; more -> TooManyObjects
  std::size_t max_object_bytes = 1 << 20; // an element's minified JSON; more -> that object fails
  std::size_t max_depth = 64;             // JSON nesting, the envelope's two levels included
  // Spec versions the collection stores (TAXII 2.1 §5.2.1 media_types). An SDO/SRO without
  // spec_version is a STIX 2.0 object, so "2.0" here admits those too.
  std::vector<std::string> spec_versions = {"2.1"};
};

enum class EnvelopeErrorKind {
  NotJson,           // not RFC 8259 JSON (also: a string with a lone surrogate escape)
  InvalidUtf8,       // RFC 8259 §8.1
  TooDeep,           // nesting beyond max_depth
  NumberOutOfRange,  // a number no double or 64-bit integer holds (1e400, 2^64)
  NotAnEnvelope,     // not an object, no `objects` array, or an empty one (§3.7, §5.5)
  DuplicateMember,   // the same member name twice in the envelope object itself (RFC 7493 §2.3)
  TooManyObjects,    // more than max_objects
  TooLarge,          // beyond what the parser can hold (4 GiB)
};

struct EnvelopeError {
  EnvelopeErrorKind kind;
  std::string message;  // for the error resource's description (§3.6.1)
};

// 400 for every kind except TooManyObjects and TooLarge (413, TAXII 2.1 §5.5).
int http_status(EnvelopeErrorKind kind);

// One element of `objects` that was refused. id/version as far as they could be read (the
// status-details of TAXII 2.1 §4.3.1 require both; the REST layer fills in what is missing).
struct ObjectFailure {
  std::string id;
  std::string version;
  std::string message;
};

using ObjectResult = std::variant<storage::NewObject, ObjectFailure>;

// Either every element's result, in order, or the whole-body error.
using EnvelopeResult = std::variant<std::vector<ObjectResult>, EnvelopeError>;

EnvelopeResult parse_envelope(std::string_view body, const EnvelopeLimits& limits = {});

// Checks one STIX object given as JSON text (the same rules as for one element of `objects`);
// for re-reading a stored body. `body` of the result is the minified form of `json`.
ObjectResult parse_object(std::string_view json, const EnvelopeLimits& limits = {});

// Whether `type` is one of the STIX 2.1 SCO types (STIX 2.1 §6).
bool is_sco_type(std::string_view type);
// STIX 2.1 §2.9 identifier: "<type>--<UUID>" (RFC 4122 text form and variant, any version).
bool is_identifier(std::string_view s);
// STIX 2.1 §3.1 object type name (3-250 chars, [a-z0-9-], starting with a letter, no "--").
bool is_type_name(std::string_view s);

}  // namespace taxii::stix21
