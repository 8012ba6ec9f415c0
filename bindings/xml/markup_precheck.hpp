// The checks parse_document() and validate_document() make before Xerces reads a byte
// (docs/security.md "Linear-time parsing"): cheap, linear, and on bytes, so that what Xerces would
// decode otherwise than they read, or read in quadratic time, never reaches it. Internal to
// bindings/xml. Stateless; thread-safe.
#pragma once

#include <string_view>

#include "bindings/xml/message_binding.hpp"
#include "core/result.hpp"

namespace taxii::xml {

// Size, an ASCII-compatible start, the XML declaration's encoding (UTF-8 or US-ASCII only), no
// DOCTYPE in the prolog. *utf8 tells whether the bytes may be sliced as UTF-8 (raw payload
// capture): always, now that nothing else is accepted. Fails with BadMessage.
Status precheck(std::string_view body, const ParseLimits& limits, bool* utf8 = nullptr);

// One pass over the markup, linear in the body: refuses (BadMessage) an element with more than
// limits.max_attributes attributes (namespace declarations included) or more than
// limits.max_namespace_declarations declarations in scope. Xerces maps every element and
// attribute prefix by a walk over the declarations in scope: 32,000 of them nested in a payload
// took it 4.5 s (16,000: 0.9 s). The count is exact for well-formed markup; at anything
// malformed the pass stops and Xerces, which stops at or before the same point, reports it. The
// payload scanner counts the same way (payload_scan.cpp), so the fast path and the full path
// refuse the same documents.
Status scan_markup_limits(std::string_view s, const ParseLimits& limits);

}  // namespace taxii::xml
