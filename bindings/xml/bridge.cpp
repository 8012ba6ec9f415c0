#include "bindings/xml/bridge.hpp"

namespace taxii::xml {
Result<Message> bridge_request_to_v11(const Message&) { return Error::failure("bridge not implemented yet"); }
Result<Message> bridge_response_to_v10(const Message&) { return Error::failure("bridge not implemented yet"); }
}  // namespace taxii::xml
