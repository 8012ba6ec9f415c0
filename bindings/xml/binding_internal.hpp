// Internal to bindings/xml: the per-version mappings between a validated tree and the model.
#pragma once

#include <string>

#include "bindings/xml/xml_document.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::xml {

Result<Message> map_v11(const XmlDocument& doc);
Result<std::string> write_v11(const Message& m);
Result<Message> map_v10(const XmlDocument& doc);
Result<std::string> write_v10(const Message& m);

}  // namespace taxii::xml
