// The header rules of the TAXII HTTP protocol binding (HTTP 1.0 §2; PROTOCOL.md §9.2), as pure
// functions over header values so they are testable without a socket. No HTTP status codes
// here: a failed check is an Error for a TAXII Status_Message (taxii_handler.hpp answers it in
// an HTTP 200, HTTP 1.0 §4).
//
// Decisions where HTTP 1.0 is silent (docs/server.md):
// - X-TAXII-Content-Type missing or not a binding we implement -> UNSUPPORTED_MESSAGE with one
//   SUPPORTED_BINDING detail per XML binding (HTTP 1.0 §2.1.4: without it the body is not a
//   TAXII message; we do not sniff).
// - Content-Type: absent is tolerated (X-TAXII-Content-Type says what the body is); present,
//   it must be XML: application/xml, text/xml or application/<x>+xml, parameters ignored;
//   otherwise UNSUPPORTED_MESSAGE (HTTP 1.0 §2.1.2; the HTTP status 415 maps to the same type).
// - X-TAXII-Services: absent -> the binding's version; present but unknown or not the
//   binding's version -> BAD_MESSAGE (the headers contradict each other).
// - X-TAXII-Protocol: absent -> the transport's (libtaxii-era clients omit it); unknown ->
//   UNSUPPORTED_PROTOCOL; the https id over plain HTTP -> UNSUPPORTED_PROTOCOL (the client
//   believes it is protected); the http id over TLS is accepted (harmless). Details: one
//   SUPPORTED_PROTOCOL = the transport's id.
// - X-TAXII-Accept: absent -> anything; present -> a space-separated list (commas tolerated)
//   that must contain the request's binding, since we answer in the request's version;
//   otherwise UNSUPPORTED_MESSAGE with SUPPORTED_BINDING = the request's binding.
// - Accept: absent or any range covering XML is fine; one that excludes XML altogether ->
//   UNSUPPORTED_MESSAGE (HTTP 406 maps to the same type).
// The Error's answer version (for the Status_Message) is the binding's version when known,
// else the version X-TAXII-Services names, else 1.1.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::http {

struct TaxiiHeaders {
  std::optional<std::string> content_type;    // Content-Type
  std::optional<std::string> accept;          // Accept
  std::optional<std::string> x_content_type;  // X-TAXII-Content-Type
  std::optional<std::string> x_accept;        // X-TAXII-Accept
  std::optional<std::string> x_protocol;      // X-TAXII-Protocol
  std::optional<std::string> x_services;      // X-TAXII-Services
};

struct HeaderCheck {
  Version answer_version = Version::V11;      // the version to answer in, even on error
  // The binding X-TAXII-Content-Type names, when it names one we implement (also when a later
  // check failed, so the caller can still read the request's message_id for in_response_to).
  const xml::MessageBinding* binding = nullptr;
  std::optional<Error> error;
};

// REQUIRES: nothing. `tls` is whether the request came over TLS (or a TLS-terminating proxy
// the listener is configured to trust).
HeaderCheck check_headers(const TaxiiHeaders& h, bool tls);

// The version a request most likely speaks, from its headers alone (for error answers).
Version guess_version(const TaxiiHeaders& h);

// Splits an X-TAXII-Accept value on spaces and commas.
std::vector<std::string> split_binding_list(std::string_view v);
bool is_xml_media_type(std::string_view content_type);
bool accept_allows_xml(std::string_view accept);

}  // namespace taxii::http
