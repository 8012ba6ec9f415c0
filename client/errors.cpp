#include "client/errors.hpp"

#include <cctype>
#include <cstdlib>

namespace taxii::client {
namespace {

const std::string* marker(const Error& e, std::string_view name) {
  for (const auto& d : e.details())
    if (d.name == name) return &d.value;
  return nullptr;
}

Error with_origin(Error e, ErrorOrigin o) {
  e.with_detail(std::string(kOriginDetail), std::string(to_string(o)));
  return e;
}

// A short, printable excerpt of a non-TAXII body: first line, control characters dropped.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body) {
    if (c == '\n' || c == '\r') {
      if (!out.empty()) break;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
    if (out.size() >= 160) {
      out += "...";
      break;
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(ErrorOrigin o) {
  switch (o) {
    case ErrorOrigin::Server: return "server";
    case ErrorOrigin::Http: return "http";
    case ErrorOrigin::Transport: return "transport";
    case ErrorOrigin::Response: return "response";
    case ErrorOrigin::Local: return "local";
  }
  return "server";
}

std::ostream& operator<<(std::ostream& os, ErrorOrigin o) { return os << to_string(o); }

ErrorOrigin origin_of(const Error& e) {
  const std::string* v = marker(e, kOriginDetail);
  if (v == nullptr) return ErrorOrigin::Server;
  for (auto o : {ErrorOrigin::Http, ErrorOrigin::Transport, ErrorOrigin::Response, ErrorOrigin::Local})
    if (*v == to_string(o)) return o;
  return ErrorOrigin::Server;
}

std::string status_type_name(const Error& e) {
  if (const std::string* v = marker(e, kStatusTypeDetail)) return *v;
  return std::string(wire_name(e.type()));
}

std::optional<int> http_status_of(const Error& e) {
  const std::string* v = marker(e, kHttpStatusDetail);
  if (v == nullptr) return std::nullopt;
  return std::atoi(v->c_str());
}

std::optional<FailureStage> stage_of(const Error& e) {
  const std::string* v = marker(e, kStageDetail);
  if (v == nullptr) return std::nullopt;
  if (*v == "connect") return FailureStage::Connect;
  if (*v == "send") return FailureStage::Send;
  return FailureStage::Receive;
}

std::vector<StatusDetail> visible_details(const Error& e) {
  std::vector<StatusDetail> out;
  for (const auto& d : e.details())
    if (d.name.rfind("taxii-client:", 0) != 0) out.push_back(d);
  return out;
}

std::optional<std::string> detail_value(const Error& e, std::string_view name) {
  for (const auto& d : e.details())
    if (d.name == name) return d.value;
  return std::nullopt;
}

Error transport_error(FailureStage stage, std::string message) {
  Error e{StatusType::NetworkError, std::move(message)};
  e.with_detail(std::string(kStageDetail), std::string(http::to_string(stage)));
  return with_origin(std::move(e), ErrorOrigin::Transport);
}

Error response_error(std::string message) {
  return with_origin(Error::failure(std::move(message)), ErrorOrigin::Response);
}

Error local_error(std::string message) {
  return with_origin(Error::bad_message(std::move(message)), ErrorOrigin::Local);
}

StatusType status_for_http(int http_status) {
  switch (http_status) {
    case 400: case 413: return StatusType::BadMessage;
    case 401: case 403: case 407: return StatusType::Unauthorized;
    case 406: case 415: return StatusType::UnsupportedMessage;
    default: return StatusType::Failure;
  }
}

Error http_error(const HttpResponse& r) {
  std::string msg = "HTTP " + std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);
  const std::string body = excerpt(r.body);
  if (!body.empty()) msg += ": " + body;
  Error e{status_for_http(r.status), std::move(msg)};
  e.with_detail(std::string(kHttpStatusDetail), std::to_string(r.status));
  if (const std::string* id = r.headers.find("X-Request-Id")) e.with_detail(std::string(kRequestIdDetail), *id);
  return with_origin(std::move(e), ErrorOrigin::Http);
}

Error status_error(const v11::StatusMessage& s) {
  const auto type = status_type_from_wire(s.status_type);
  // Services 1.1 §4.4.1.1: unknown (third-party) status types are treated as FAILURE.
  Error e{type.value_or(StatusType::Failure), s.message.value_or("")};
  for (const auto& d : s.details) e.with_detail(d.name, d.value.is_text() ? d.value.text_value() : d.value.xml);
  if (!type) e.with_detail(std::string(kStatusTypeDetail), s.status_type);
  return e;
}

std::optional<std::string> text_detail(const v11::StatusMessage& s, std::string_view name) {
  for (const auto& d : s.details) {
    if (d.name != name || !d.value.is_text()) continue;
    const std::string v = d.value.text_value();
    const auto b = v.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    return v.substr(b, v.find_last_not_of(" \t\r\n") - b + 1);
  }
  return std::nullopt;
}

std::optional<int64_t> seconds_detail(const v11::StatusMessage& s, std::string_view name) {
  auto v = text_detail(s, name);
  if (!v || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(*v);
}

std::string describe(const Error& e) {
  switch (origin_of(e)) {
    case ErrorOrigin::Server: {
      std::string out = "server answered " + status_type_name(e);
      if (!e.message().empty()) out += ": " + e.message();
      for (const auto& d : visible_details(e)) {
        if (d.value.size() > 200) continue;
        out += " [" + d.name + "=" + d.value + "]";
      }
      return out;
    }
    case ErrorOrigin::Http:
      return e.message() + " (no TAXII message; taken as " + status_type_name(e) + ")";
    case ErrorOrigin::Transport:
    case ErrorOrigin::Response:
    case ErrorOrigin::Local:
      return e.message();
  }
  return e.message();
}

}  // namespace taxii::client
