// Message ids (Services 1.1 §4.1.1): unique while a response is awaited. We generate
// decimal digits only, so the same id is valid for TAXII 1.0 (digits) and 1.1 (anyURI).
// Thread-safe.
#pragma once

#include <string>

namespace taxii {

std::string generate_message_id();
// A random identifier for subscriptions and result sets: "urn:uuid:..." style UUIDv4.
std::string generate_uuid();

}  // namespace taxii
