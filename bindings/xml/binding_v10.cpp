// XML Message Binding 1.0 (XML 1.0 §3). Placeholder until the mapping lands.
#include "bindings/xml/binding_internal.hpp"

namespace taxii::xml {
Result<Message> map_v10(const XmlDocument&) { return Error::bad_message("TAXII 1.0 not implemented yet"); }
Result<std::string> write_v10(const Message&) { return Error::bad_message("TAXII 1.0 not implemented yet"); }
}  // namespace taxii::xml
