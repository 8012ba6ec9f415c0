// Payload skipping: the fast path of parse_document for messages carrying content blocks.
//
// A Content_Block's Content (XML 1.1 §3.4 / XML 1.0 §3.4: a wildcard the runtime grammars skip)
// is kept as the sender's own bytes anyway (XmlDocument::inner_xml), so building a tree for it and
// running it through the validating Xerces scanner is wasted work: for a 100-block Inbox_Message of
// STIX indicators it was ~80 % of the parse. plan_payload_skip() walks the document once with a
// small hand-written scanner, checks every payload byte for well-formedness itself (strict UTF-8,
// XML characters, names, references, comments, PIs, CDATA, tag nesting, attribute uniqueness,
// namespace prefixes bound) and records, per payload, what the namespace splice needs. The caller
// then lets Xerces validate an envelope with each payload replaced by its line breaks only (so line
// numbers stay those of the source) and maps the offsets back.
//
// The scanner is deliberately conservative: it accepts only what Xerces certainly accepts. On
// anything else (non-ASCII names, a DOCTYPE, a reference it does not know, an element of a
// namespace the binding validates laxly, xsi attributes other than a plain xsi:type, a limit
// reached, more than 1,024 top-level elements in one payload, a malformed envelope ...) it
// answers false and the caller parses the whole document with Xerces as
// before, so errors and every unusual case behave exactly as without the fast path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/message_binding.hpp"

namespace taxii::xml {

// A top-level element of a skipped payload, with what inherited_declarations() needs.
struct FragmentTop {
  uint64_t lt = 0;             // offset of its '<'
  uint32_t qname_len = 0;      // length of its name as written
  std::vector<std::string> own_decls;       // prefixes it declares itself ("" = default)
  std::vector<std::string> name_prefixes;   // used in names of the subtree, not declared inside it
  std::vector<std::string> value_prefixes;  // "p" of QName-like attribute values and texts, likewise
};

struct SkippedPayload {
  uint64_t begin = 0, end = 0;  // the Content element's inner bytes in the source
  std::vector<FragmentTop> tops;
};

struct PayloadPlan {
  std::vector<SkippedPayload> payloads;
  // The envelope handed to Xerces, and the offset map back to the source: a source offset is
  // env_offset + delta[k], k the last removal whose env_pos < env_offset.
  std::string envelope;
  std::vector<uint64_t> env_pos, delta;

  uint64_t to_source(uint64_t env_offset, size_t& cursor) const {
    while (cursor < env_pos.size() && env_pos[cursor] < env_offset) ++cursor;
    return env_offset + (cursor == 0 ? 0 : delta[cursor - 1]);
  }
};

// True when every payload could be checked and skipped (and there was at least one worth
// skipping); false: parse the whole document with Xerces.
bool plan_payload_skip(std::string_view body, const ParseLimits& limits, PayloadPlan* plan);

}  // namespace taxii::xml
