// Turning files into TAXII 2.1 envelopes for Add Objects (TAXII 2.1 §5.5): the input is an
// envelope (§3.7), a STIX bundle (STIX 2.1 §8; bundles are no longer sent, §1.7.1, so its
// objects travel in envelopes), or one STIX object. The objects are cut into envelopes of at
// most `batch` objects and at most `max_bytes` bytes (the API root's max_content_length,
// §4.2.1), in input order, each object as compact JSON. Linear in the input; simdjson limits
// nesting. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace taxii::client21 {

// Receives each envelope ({"objects":[...]}) and the number of objects in it; an error stops.
using EnvelopeSink = std::function<Status(std::string envelope, uint64_t objects)>;

// The number of objects read. Fails (BAD_MESSAGE, message naming the problem) when the input
// is not JSON, holds no objects, an element is not an object, or one object alone is larger
// than max_bytes allows. batch 0 = no limit; max_bytes 0 = no limit.
Result<uint64_t> split_envelopes(std::string_view input, uint64_t batch, uint64_t max_bytes, const EnvelopeSink& sink);

}  // namespace taxii::client21
