// The header rules of the TAXII HTTP protocol binding (HTTP Binding 1.0 §2), as pure
// functions over header values so they are testable without a socket. No HTTP status codes
// here: a failed check is an Error for a TAXII Status_Message (taxii_handler.hpp answers it in
// an HTTP 200, HTTP 1.0 §4).
//
// Required on every request (HTTP 1.0 §2, Table 1: X-TAXII-Content-Type §2.1.4, X-TAXII-Protocol
// §2.1.5 and X-TAXII-Services §2.1.6 are MUST on every TAXII message; Content-Type §2.1.2 on
// every message with a body). An absent (or empty) header is answered like a wrong value of
// the same header, in an HTTP 200 (docs/decisions.md, "Strict TAXII HTTP headers"). In
// HeaderMode::Lenient (taxiid's `http.lenient_headers`) an absent Content-Type, X-TAXII-Services
// or X-TAXII-Protocol is inferred instead, as taxiid did before; X-TAXII-Content-Type is never.
//
// Decisions where HTTP 1.0 is silent (docs/server.md):
// - X-TAXII-Content-Type missing or not a binding we implement -> UNSUPPORTED_MESSAGE with one
//   SUPPORTED_BINDING detail per XML binding (HTTP 1.0 §2.1.4: without it the body is not a
//   TAXII message; we do not sniff).
// - Content-Type: missing, or not XML (application/xml, text/xml or application/<x>+xml) ->
//   UNSUPPORTED_MESSAGE with the same details (HTTP 1.0 §2.1.2; the HTTP status 415 maps to the
//   same type). A charset parameter must be utf-8 or us-ascii (case-insensitive; quoted or
//   not), in both modes: the body is read as UTF-8, and a declared charset the parser ignores
//   is a parser differential. Other parameters are ignored.
// - X-TAXII-Services: missing, unknown or not the binding's version -> BAD_MESSAGE (the
//   headers are incomplete or contradict each other). Lenient, absent: the binding's version.
// - X-TAXII-Protocol: missing, unknown, or the https id over plain HTTP -> UNSUPPORTED_PROTOCOL
//   (the client believes it is protected); the http id over TLS is accepted (harmless).
//   Details: one SUPPORTED_PROTOCOL = the transport's id. Lenient, absent: the transport's.
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

// Strict: every header HTTP 1.0 §2 requires of a request must be there. Lenient: an absent
// Content-Type, X-TAXII-Services or X-TAXII-Protocol is inferred (for clients that omit them).
enum class HeaderMode { Strict, Lenient };

// REQUIRES: nothing. `tls` is whether the request came over TLS (or a TLS-terminating proxy
// the listener is configured to trust).
HeaderCheck check_headers(const TaxiiHeaders& h, bool tls, HeaderMode mode = HeaderMode::Strict);

// The version a request most likely speaks, from its headers alone (for error answers).
Version guess_version(const TaxiiHeaders& h);

// Splits an X-TAXII-Accept value on spaces and commas.
std::vector<std::string> split_binding_list(std::string_view v);
bool is_xml_media_type(std::string_view content_type);
// Whether every charset parameter of a media type (RFC 9110 §8.3.2; the name and the value are
// case-insensitive, the value a token or a quoted string) is utf-8 or us-ascii; true when it
// has none. An empty or unterminated value is not.
bool utf8_charset(std::string_view content_type);
bool accept_allows_xml(std::string_view accept);

}  // namespace taxii::http
