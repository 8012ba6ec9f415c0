// TAXII status types of both versions and of the Default Query specification, with their
// wire names. Services 1.1 §4.4.1 Table 3; XML 1.0 Table 2 (1.0 subset); Query 1.0 §2.
// Immutable data; thread-safe.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace taxii {

enum class StatusType {
  Success,
  AsynchronousPollError,       // 1.1 only
  BadMessage,
  Denied,
  DestinationCollectionError,  // 1.1 only
  Failure,
  InvalidResponsePart,         // 1.1 only
  NetworkError,                // 1.1 only
  NotFound,
  Pending,                     // 1.1 only
  PollingUnsupported,
  Retry,
  Unauthorized,
  UnsupportedMessage,
  UnsupportedContent,
  UnsupportedProtocol,
  UnsupportedQuery,            // 1.1 only
  // Query 1.0 §2 Tables 1-3 (carried by TAXII 1.1 Status_Message).
  UnsupportedCapabilityModule,
  UnsupportedTargetingExpression,
  UnsupportedTargetingExpressionId,
};

// Wire name, e.g. "UNSUPPORTED_CONTENT".
std::string_view wire_name(StatusType t);
// Parses a canonical wire name; nullopt for third-party (custom) status types.
std::optional<StatusType> status_type_from_wire(std::string_view s);
// True if the status type exists in TAXII 1.0 (XML 1.0 Table 2).
bool exists_in_v10(StatusType t);
std::ostream& operator<<(std::ostream& os, StatusType t);

// Canonical status detail names (XML 1.1 §3.1 Table 2; Query 1.0 §2).
namespace detail_name {
inline constexpr std::string_view kAcceptableDestination = "ACCEPTABLE_DESTINATION";
inline constexpr std::string_view kMaxPartNumber = "MAX_PART_NUMBER";
inline constexpr std::string_view kItem = "ITEM";
inline constexpr std::string_view kEstimatedWait = "ESTIMATED_WAIT";
inline constexpr std::string_view kResultId = "RESULT_ID";
inline constexpr std::string_view kWillPush = "WILL_PUSH";
inline constexpr std::string_view kSupportedBinding = "SUPPORTED_BINDING";
inline constexpr std::string_view kSupportedContent = "SUPPORTED_CONTENT";
inline constexpr std::string_view kSupportedProtocol = "SUPPORTED_PROTOCOL";
inline constexpr std::string_view kSupportedQuery = "SUPPORTED_QUERY";
inline constexpr std::string_view kCapabilityModule = "CAPABILITY_MODULE";
inline constexpr std::string_view kPreferredScope = "PREFERRED_SCOPE";
inline constexpr std::string_view kAllowedScope = "ALLOWED_SCOPE";
inline constexpr std::string_view kTargetingExpressionId = "TARGETING_EXPRESSION_ID";
}  // namespace detail_name

}  // namespace taxii
