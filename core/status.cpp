#include "core/status.hpp"

#include <array>
#include <utility>

#include "core/result.hpp"

namespace taxii {
namespace {
constexpr std::array<std::pair<StatusType, std::string_view>, 20> kNames{{
    {StatusType::Success, "SUCCESS"},
    {StatusType::AsynchronousPollError, "ASYNCHRONOUS_POLL_ERROR"},
    {StatusType::BadMessage, "BAD_MESSAGE"},
    {StatusType::Denied, "DENIED"},
    {StatusType::DestinationCollectionError, "DESTINATION_COLLECTION_ERROR"},
    {StatusType::Failure, "FAILURE"},
    {StatusType::InvalidResponsePart, "INVALID_RESPONSE_PART"},
    {StatusType::NetworkError, "NETWORK_ERROR"},
    {StatusType::NotFound, "NOT_FOUND"},
    {StatusType::Pending, "PENDING"},
    {StatusType::PollingUnsupported, "POLLING_UNSUPPORTED"},
    {StatusType::Retry, "RETRY"},
    {StatusType::Unauthorized, "UNAUTHORIZED"},
    {StatusType::UnsupportedMessage, "UNSUPPORTED_MESSAGE"},
    {StatusType::UnsupportedContent, "UNSUPPORTED_CONTENT"},
    {StatusType::UnsupportedProtocol, "UNSUPPORTED_PROTOCOL"},
    {StatusType::UnsupportedQuery, "UNSUPPORTED_QUERY"},
    {StatusType::UnsupportedCapabilityModule, "UNSUPPORTED_CAPABILITY_MODULE"},
    {StatusType::UnsupportedTargetingExpression, "UNSUPPORTED_TARGETING_EXPRESSION"},
    {StatusType::UnsupportedTargetingExpressionId, "UNSUPPORTED_TARGETING_EXPRESSION_ID"},
}};
}  // namespace

std::string_view wire_name(StatusType t) {
  for (const auto& [type, name] : kNames)
    if (type == t) return name;
  return "FAILURE";
}

std::optional<StatusType> status_type_from_wire(std::string_view s) {
  for (const auto& [type, name] : kNames)
    if (name == s) return type;
  return std::nullopt;
}

bool exists_in_v10(StatusType t) {
  switch (t) {
    case StatusType::Success:
    case StatusType::BadMessage:
    case StatusType::Denied:
    case StatusType::Failure:
    case StatusType::NotFound:
    case StatusType::PollingUnsupported:
    case StatusType::Retry:
    case StatusType::Unauthorized:
    case StatusType::UnsupportedMessage:
    case StatusType::UnsupportedContent:
    case StatusType::UnsupportedProtocol:
      return true;
    default:
      return false;
  }
}

std::ostream& operator<<(std::ostream& os, StatusType t) { return os << wire_name(t); }

std::ostream& operator<<(std::ostream& os, const Error& e) {
  os << e.type() << ": " << e.message();
  for (const auto& d : e.details()) os << " [" << d.name << "=" << d.value << "]";
  return os;
}

}  // namespace taxii
