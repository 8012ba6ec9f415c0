// Internal to convert/: one CybOX 2.x object (its Properties) as a STIX 2.1 SCO and as the
// comparison expression of a pattern observation (STIX 2.1 §9). docs/bridge.md has the table.
#pragma once

#include <string>
#include <vector>

#include "convert/context.hpp"

namespace taxii::convert {

struct CyboxObject {
  std::string type;        // STIX 2.1 SCO type; "" when the object type is not converted
  Json sco;                // the SCO without id (object with type and properties)
  // SCOs it refers to, with the referring property: ("parent_directory_ref", directory),
  // ("from_ref", email-addr); a "..._refs" property collects a list.
  std::vector<std::pair<std::string, Json>> extra;
  std::string comparison;  // "file:hashes.MD5 = '...' AND file:size = 3"; "" when nothing
};

// Converts <cybox:Object> (its Properties). Unsupported types give type "" and warning 102.
CyboxObject convert_cybox_object(Ctx& c, Node object);
// Assigns the STIX 2.1 §2.9 deterministic id to `sco` (and returns it).
std::string assign_sco_id(Json& sco);

}  // namespace taxii::convert
