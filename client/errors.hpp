// Client errors. The client returns Result<T> with the core Error (a TAXII status type, a
// message and status details) like every module, and records where an error came from in
// details whose names start with "taxii-client:" — a prefix no server uses (status detail
// names are URIs with an authority part or the canonical upper-case names). Display and JSON
// code drop them with visible_details().
//
// Origins, and the `taxii` exit codes they lead to (client/cli/command.hpp):
//   Server     a TAXII Status_Message from the server                          -> 4
//   Http       an HTTP response without a TAXII message, typed per HTTP 1.0 §5   -> 3
//              (400/413 BAD_MESSAGE, 401/403/407 UNAUTHORIZED,
//              406/415 UNSUPPORTED_MESSAGE, anything else FAILURE)
//   Transport  connection, TLS, proxy, timeout (type NETWORK_ERROR)              -> 3
//   Response   a TAXII response the client cannot use: unparseable, wrong message type,
//              in_response_to mismatch, unknown message binding                    -> 3
//   Local      the caller's input: options, versions (type BAD_MESSAGE)          -> 2
//              (files that cannot be read or written are reported by the CLI itself: 5)
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "client/transport.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::client {

enum class ErrorOrigin { Server, Http, Transport, Response, Local };
std::string_view to_string(ErrorOrigin o);  // "server", "http", ...
std::ostream& operator<<(std::ostream& os, ErrorOrigin o);

inline constexpr std::string_view kOriginDetail = "taxii-client:origin";
inline constexpr std::string_view kStatusTypeDetail = "taxii-client:status-type";  // wire name as sent
inline constexpr std::string_view kHttpStatusDetail = "taxii-client:http-status";
inline constexpr std::string_view kStageDetail = "taxii-client:stage";  // FailureStage of a transport error
// On an error status answering in_response_to "0": the server rejected the request before
// reading it (docs/interop.md).
inline constexpr std::string_view kUnreadDetail = "taxii-client:unread";
// The X-Request-Id of the answer an error came from: what the server's log line names.
inline constexpr std::string_view kRequestIdDetail = "taxii-client:request-id";

ErrorOrigin origin_of(const Error& e);
// The status type as the server wrote it (a third-party URI stays a URI; its type() is
// FAILURE, Services 1.1 §4.4.1.1); wire_name(type()) otherwise.
std::string status_type_name(const Error& e);
std::optional<int> http_status_of(const Error& e);
std::optional<FailureStage> stage_of(const Error& e);
// The details a server sent, without the client's markers.
std::vector<StatusDetail> visible_details(const Error& e);
// The first visible detail of that name.
std::optional<std::string> detail_value(const Error& e, std::string_view name);

Error transport_error(FailureStage stage, std::string message);
Error response_error(std::string message);
Error local_error(std::string message);
// HTTP 1.0 §5 Table 2.
StatusType status_for_http(int http_status);
// A non-TAXII HTTP response as a status (Message = the HTTP response, shortened).
Error http_error(const HttpResponse& r);
// A Status_Message (1.1 model) as an Error of origin Server. Detail values that are XML
// keep their markup.
Error status_error(const v11::StatusMessage& s);

// The first text detail of that name in a Status_Message, trimmed; nullopt if there is none.
std::optional<std::string> text_detail(const v11::StatusMessage& s, std::string_view name);
// The same as a whole number of seconds (at most 9 digits); nullopt if absent or not a number.
std::optional<int64_t> seconds_detail(const v11::StatusMessage& s, std::string_view name);

// An answer expected to be a T (`what` names it for the message): a Status_Message becomes
// its status_error(), any other message a Response error.
template <class T>
Result<T> expect_answer(Result<Message> r, std::string_view what) {
  if (!r.ok()) return r.error();
  if (auto* m = std::get_if<T>(&*r)) return std::move(*m);
  if (auto* s = std::get_if<v11::StatusMessage>(&*r)) return status_error(*s);
  return response_error("expected a " + std::string(what) + ", got a " + std::string(message_type_name(*r)));
}

// One line for people: "server answered NOT_FOUND: collection 'x' does not exist",
// "HTTP 401 Unauthorized (no TAXII message; taken as UNAUTHORIZED)", "cannot connect ...".
std::string describe(const Error& e);

}  // namespace taxii::client
