// Media types and content negotiation of TAXII 2.1 (§1.6.8, §3.1; decisions in
// docs/taxii21.md, "Content negotiation"). Media types are parsed (RFC 9110 §8.3.1, §12.5.1):
// type, subtype and parameter names compare case-insensitively, whitespace around ";" and
// "," is optional, "q=0" means "not acceptable". Linear in the header's length.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

namespace taxii::taxii21 {

// What every TAXII 2.1 answer carries in Content-Type (§3.1), and what api-root.versions lists.
inline constexpr const char* kTaxiiMediaType = "application/taxii+json;version=2.1";

// Whether an answer in kTaxiiMediaType is acceptable to a request with this Accept value:
// application/taxii+json with version=2.1 or no version (the latest, §1.6.8.2),
// application/*, */*, or no Accept header at all (empty). Any other version (2.0) or type
// alone is not (406).
bool accepts_taxii21(std::string_view accept);

// Whether a request body of this Content-Type is a TAXII 2.1 envelope: application/taxii+json
// with version 2.1 or none, and no charset other than utf-8 (else 415, §3.1, §5.5).
bool is_taxii21_content(std::string_view content_type);

}  // namespace taxii::taxii21
