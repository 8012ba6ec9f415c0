// Push_Parameters / Delivery_Parameters as taxiid can use them: the protocol binding (HTTP or
// HTTPS, HTTP 1.0 §1.1.2), the message binding (XML 1.1 or 1.0) and the address, an absolute
// http(s) URL of the receiving Inbox service. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/message_v11.hpp"
#include "core/result.hpp"

namespace taxii::services {

struct PushAddress {
  bool https = false;
  std::string host;     // without brackets for an IPv6 literal
  uint16_t port = 0;    // explicit or the scheme's default
  std::string target;   // path and query, at least "/"
};

// Parses an absolute http:// or https:// URL. Fails with BadMessage naming the problem (no
// scheme, no host, a bad port, user information, spaces or control characters), or with
// UnsupportedProtocol for another scheme.
Result<PushAddress> parse_push_address(std::string_view url);

// Checks push parameters in the order of Services 1.1 §4.4.6 rule 4 (decisions in
// docs/subscriptions.md):
// - protocol binding other than HTTP/HTTPS -> UNSUPPORTED_PROTOCOL, SUPPORTED_PROTOCOL x 2;
// - message binding other than XML 1.1/1.0 (or XML 1.0 for a Data Set, which 1.0 cannot
//   express) -> UNSUPPORTED_MESSAGE with SUPPORTED_BINDING details;
// - an address whose scheme is not the protocol binding's -> UNSUPPORTED_PROTOCOL; an address
//   that is not a URL at all -> BAD_MESSAGE.
Result<PushAddress> check_push_parameters(const v11::PushParameters& p, bool data_set,
                                          std::string_view element = "Push_Parameters");

}  // namespace taxii::services
