// The answers the connection engine gives itself, without the application: a head refused
// by RFC 9112's rules (400, 414, 431, 501, 505), a request too slow (408), a client over its
// per-address cap (503), and the bare 400 / 500 when Poco cannot parse a head or the handler
// did not answer. The body of a refusal comes from HttpServer::RefusalBody (the router picks
// the application's own), given the request's method and target as far as they were read.
//
// Thread ownership: free functions over their arguments; http_date() keeps one formatted
// value per thread (thread_local). Callable from the reactor and from any worker.
#pragma once

#include <string>
#include <string_view>

#include <Poco/Net/HTTPResponse.h>

#include "bindings/http/http_server.hpp"

namespace taxii::http::engine {

class ServerSession;

// The Date header's value (RFC 9110 §6.6.1), formatted once per second per thread.
const std::string& http_date();

// The reason phrase of a status the engine answers itself.
const char* reason_for(int status);

// The bytes of an answer the engine gives itself: status line, Connection: close, Date, the
// refusal's headers and body (none without r).
std::string engine_answer(int status, const char* reason, const HttpServer::Refusal* r);

// Writes a whole small engine answer without blocking; what does not fit in the socket
// buffer at once is dropped (a fresh connection's buffer holds far more than these few
// hundred bytes).
void send_now(int fd, int status, const char* reason, const HttpServer::Refusal* r = nullptr);

// A bodiless answer through Poco (malformed head, handler failure); the session then closes.
void send_plain_error(ServerSession& session, Poco::Net::HTTPResponse::HTTPStatus status);

// The method and request-target of the request whose first bytes are `bytes`, as far as they
// can be read (RFC 9112 §3: method SP request-target SP version; empty lines before it are
// skipped, §2.2). Either is empty when the bytes do not get that far or are not HTTP.
HttpServer::RefusedRequest refused_request(std::string_view bytes);

}  // namespace taxii::http::engine
