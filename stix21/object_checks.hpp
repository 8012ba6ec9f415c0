// The per-object STIX 2.1 checks of an Add Objects request (TAXII 2.1 §5.5; STIX 2.1 §2.9,
// §2.16, §3.1, §3.2, §3.6): what a server must know to store a version (type, id, spec_version,
// version) and the cheap syntax rules; per-type semantics are left to producers. Internal to
// stix21/ (envelope.hpp is the interface). Pure; thread-safe.
#pragma once

#include <simdjson.h>

#include "stix21/envelope.hpp"

namespace taxii::stix21 {

// One element of `objects` -> a NewObject (body minified, digest of the canonical form) or a
// failure whose message says which rule, with the spec section.
ObjectResult check_object(simdjson::dom::element item, const EnvelopeLimits& limits);

}  // namespace taxii::stix21
