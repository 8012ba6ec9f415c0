// Internal to bindings/xml: the per-version mappings between a validated tree and the model.
#pragma once

#include <string>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::xml {

Result<Message> map_v11(const XmlDocument& doc);
// With `inserts`, Content of kMinInsert bytes or more is not copied but recorded there
// (message_binding.hpp, SegmentedBody).
Result<std::string> write_v11(const Message& m, std::vector<SegmentedBody::Insert>* inserts = nullptr);
Result<Message> map_v10(const XmlDocument& doc);
Result<std::string> write_v10(const Message& m, std::vector<SegmentedBody::Insert>* inserts = nullptr);
// map_v11 or map_v10, by the namespace of the root element. Fails with BadMessage (also for a root
// element of neither namespace).
Result<Message> map_any(const XmlDocument& doc);

}  // namespace taxii::xml
