#include "bindings/http/engine_answer.hpp"

#include <sys/socket.h>

#include <ctime>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPServerResponseImpl.h>

#include "bindings/http/server_session.hpp"

namespace taxii::http::engine {

const std::string& http_date() {
  thread_local std::time_t formatted_at = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now), Poco::DateTimeFormat::HTTP_FORMAT);
    formatted_at = now;
  }
  return text;
}

std::string engine_answer(int status, const char* reason, const HttpServer::Refusal* r) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nConnection: close\r\nDate: " + http_date() + "\r\n";
  if (r != nullptr)
    for (const auto& [k, v] : r->headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(r != nullptr ? r->body.size() : 0) + "\r\n\r\n";
  if (r != nullptr) out += r->body;
  return out;
}

void send_now(int fd, int status, const char* reason, const HttpServer::Refusal* r) {
  const std::string out = engine_answer(status, reason, r);
  [[maybe_unused]] const ssize_t w = ::send(fd, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

const char* reason_for(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

void send_plain_error(ServerSession& session, Poco::Net::HTTPResponse::HTTPStatus status) {
  Poco::Net::HTTPServerResponseImpl r(session);
  r.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  r.setStatusAndReason(status);
  r.setKeepAlive(false);
  r.setContentLength(0);
  r.send();
  session.setKeepAlive(false);
}

HttpServer::RefusedRequest refused_request(std::string_view bytes) {
  HttpServer::RefusedRequest r;
  std::size_t i = 0;
  while (i + 1 < bytes.size() && bytes[i] == '\r' && bytes[i + 1] == '\n') i += 2;
  const std::size_t method_end = bytes.substr(0, i + 33).find(' ', i);  // a method is at most 32 bytes
  if (method_end == std::string_view::npos || method_end == i) return r;
  r.method = bytes.substr(i, method_end - i);
  const std::size_t target = method_end + 1;
  std::size_t end = target;
  while (end < bytes.size() && static_cast<unsigned char>(bytes[end]) > 0x20 && bytes[end] != 0x7F) ++end;
  r.target = bytes.substr(target, end - target);
  return r;
}

}  // namespace taxii::http::engine
