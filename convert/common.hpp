// Internal to convert/: helpers shared by the SDO converters.
#pragma once

#include <string>
#include <string_view>

#include "convert/context.hpp"
#include "convert/ids.hpp"

namespace taxii::convert {

// A 1.x vocabulary value as a STIX 2.1 open-vocabulary one: "IP Watchlist" -> "ip-watchlist".
std::string open_vocab(const std::string& value);
void add_vocab_list(Ctx& c, Node e, std::string_view element, std::string_view property, Json& sdo);
void add_confidence(Ctx& c, Node e, Json& sdo);
// name from Title (or another element), description from Description/Short_Description.
void add_name_description(Ctx& c, Node e, Json& sdo, const char* title_element = "Title");
// Appends {source_name, external_id | url} to the SDO's external_references (STIX 2.1 §2.5).
void add_external_ref(Json& sdo, const std::string& source, const std::string& external_id,
                      const std::string& url = {});
// The 2.1 id of the 1.x construct e (kept in Ctx::id_map for references).
std::string register_id(Ctx& c, Node e, std::string_view type);

}  // namespace taxii::convert
