// Internal to convert/: an Observable (or Observable_Composition, STIX 1.x idref followed)
// as a STIX 2.1 pattern (STIX 2.1 §9); "" when nothing in it converts (warnings say why).
#pragma once

#include <string>

#include "convert/context.hpp"

namespace taxii::convert {

std::string pattern_of(Ctx& c, Node observable, int depth = 0);

}  // namespace taxii::convert
