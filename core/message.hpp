// Message: any TAXII 1.1 or 1.0 message, as a std::variant of the model structs.
// Front header of core/.
#pragma once

#include <ostream>
#include <string_view>
#include <variant>

#include "core/message_v10.hpp"
#include "core/message_v11.hpp"

namespace taxii {

enum class Version { V10, V11 };

using Message = std::variant<
    // TAXII 1.1 (XML 1.1 §3)
    v11::StatusMessage, v11::DiscoveryRequest, v11::DiscoveryResponse,
    v11::CollectionInformationRequest, v11::CollectionInformationResponse,
    v11::ManageCollectionSubscriptionRequest, v11::ManageCollectionSubscriptionResponse,
    v11::PollRequest, v11::PollResponse, v11::InboxMessage, v11::PollFulfillment,
    // TAXII 1.0 (XML 1.0 §3)
    v10::StatusMessage, v10::DiscoveryRequest, v10::DiscoveryResponse,
    v10::FeedInformationRequest, v10::FeedInformationResponse,
    v10::ManageFeedSubscriptionRequest, v10::ManageFeedSubscriptionResponse, v10::PollRequest,
    v10::PollResponse, v10::InboxMessage>;

// The XML root element name ("Poll_Request", "Feed_Information_Response", ...).
std::string_view message_type_name(const Message& m);
Version version_of(const Message& m);
std::string_view to_string(Version v);  // "1.0" / "1.1"
const std::string& message_id_of(const Message& m);
// in_response_to of a response; empty for requests.
const std::string& in_response_to_of(const Message& m);

std::ostream& operator<<(std::ostream& os, const Message& m);

}  // namespace taxii
