// Session: the exchange (headers, serialization, parsing, retries) and service location.
// The operations built on it (poll, push, subscriptions) are in operations.cpp.
#include "client/session.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "bindings/xml/bridge.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/ids.hpp"
#include "core/status.hpp"
#include "core/urn.hpp"

namespace taxii::client {
namespace {

size_t index_of(ServiceType t) { return static_cast<size_t>(t); }

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

void set_message_id(Message& m, const std::string& id) {
  std::visit([&id](auto& x) { x.message_id = id; }, m);
}

// HTTP statuses worth another try: 503 always (the server refused before doing anything),
// 502/504 only for idempotent requests (a gateway may have passed the request on).
bool transient_http(const Error& e, bool idempotent) {
  const auto code = http_status_of(e);
  if (!code) return false;
  return *code == 503 || (idempotent && (*code == 502 || *code == 504));
}

}  // namespace

std::string_view message_binding_of(Version v) {
  return v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10;
}

Session::Session(std::unique_ptr<Transport> transport, SessionOptions options, const Clock& clock)
    : transport_(std::move(transport)), opt_(std::move(options)), clock_(clock) {
  if (opt_.retry.max_attempts < 1) opt_.retry.max_attempts = 1;
}

std::string_view Session::message_binding() const { return message_binding_of(opt_.version); }

std::string_view Session::services_version() const {
  return opt_.version == Version::V11 ? urn::kServices11 : urn::kServices10;
}

void Session::set_address(ServiceType service, Url url) { addresses_[index_of(service)] = std::move(url); }

std::optional<Url> Session::address(ServiceType service) const { return addresses_[index_of(service)]; }

Result<Url> Session::require(ServiceType service) const {
  if (const auto& a = addresses_[index_of(service)]) return *a;
  return local_error("no address for the " + std::string(to_string(service)) +
                     " service: give its URL (--url) or a Discovery service (--discovery)");
}

std::chrono::milliseconds Session::backoff(int attempt) const {
  auto d = opt_.retry.initial_backoff;
  for (int i = 1; i < attempt && d < opt_.retry.max_backoff; ++i) d *= 2;
  return std::min(d, opt_.retry.max_backoff);
}

void Session::wait(std::chrono::milliseconds d, const std::string& why) {
  if (opt_.notice) {
    const auto ms = d.count();
    opt_.notice(why + "; waiting " + (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms"));
  }
  clock_.sleep_for(d);
}

std::chrono::milliseconds Session::retry_wait(const v11::StatusMessage& st, int attempt) const {
  if (auto s = seconds_detail(st, detail_name::kEstimatedWait))
    return std::chrono::seconds(std::min<int64_t>(*s, opt_.retry.max_wait.count()));
  return backoff(attempt);
}

Result<Message> Session::exchange_once(Transport& t, const Url& url, const Message& v11_request,
                                       const std::string& message_id, const BodyPeek* peek) {
  Message request = v11_request;
  set_message_id(request, message_id);
  if (opt_.version == Version::V10) {
    auto r = xml::bridge_request_to_v10(request);
    if (!r.ok()) return local_error(r.error().message());
    request = std::move(*r);
  }
  const xml::MessageBinding& binding = opt_.version == Version::V11 ? xml::xml11() : xml::xml10();
  auto body = binding.serialize(request);
  if (!body.ok()) return local_error("cannot build " + std::string(message_type_name(request)) + ": " + body.error().message());

  HttpRequest http = http::taxii_post(url, opt_.version, std::move(*body));
  if (opt_.basic_auth) http.headers.add("Authorization", http::basic_authorization(opt_.basic_auth->user, opt_.basic_auth->password));
  if (opt_.trace) opt_.trace(TraceEvent{true, &http.url, 0, &http.headers, http.body});

  auto sent = t.post(http);
  if (!sent.ok()) return sent.error();
  const HttpResponse& resp = *sent;
  if (opt_.trace) opt_.trace(TraceEvent{false, &http.url, resp.status, &resp.headers, resp.body});
  {
    const std::string* id = resp.headers.find("X-Request-Id");
    std::lock_guard<std::mutex> lock(last_id_mu_);
    last_request_id_ = id != nullptr ? *id : std::string();
  }

  // HTTP 1.0 §2.1.4: without X-TAXII-Content-Type the body is not a TAXII message (§5).
  const std::string* ct = resp.headers.find("X-TAXII-Content-Type");
  if (ct == nullptr) {
    Error e = http_error(resp);
    if (resp.status == 200)
      return Error{e.type(), "HTTP 200 without X-TAXII-Content-Type: not a TAXII response (is the URL a TAXII service?)",
                   e.details()};
    return e;
  }
  const xml::MessageBinding* rb = xml::find_binding(trim(*ct));
  if (rb == nullptr) {
    if (resp.status != 200) return http_error(resp);
    return response_error("the response is in message binding '" + trim(*ct) + "', which this client does not support");
  }
  if (peek != nullptr && resp.status == 200 && rb == &xml::xml11()) (*peek)(resp.body);
  xml::ParseLimits limits;
  limits.max_bytes = 256u << 20;
  limits.max_elements = 20'000'000;
  auto parsed = xml::parse_with(*rb, resp.body, limits);
  if (!parsed.ok()) {
    if (resp.status != 200) return http_error(resp);
    return response_error("cannot parse the " + std::string(rb->id()) + " response: " + parsed.error().message());
  }
  auto answer = xml::bridge_response_to_v11(std::move(*parsed), clock_);
  if (!answer.ok()) return response_error(answer.error().message());
  // A TAXII status carried with a non-200 HTTP code (HTTP 1.0 §4): keep the code for reports.
  if (resp.status != 200)
    if (auto* st = std::get_if<v11::StatusMessage>(&*answer))
      st->details.push_back({std::string(kHttpStatusDetail), Mixed::text(std::to_string(resp.status))});

  const std::string& irt = in_response_to_of(*answer);
  if (irt != message_id) {
    auto* st = std::get_if<v11::StatusMessage>(&*answer);
    // docs/interop.md: servers answer "0" when they reject a request before reading it
    // (OpenTAXII's FAILURE for header problems, BAD_MESSAGE for unparseable bodies, taxiid's
    // NOT_FOUND for an unknown path). An error status cannot be misattributed; SUCCESS and
    // PENDING carry meaning for one request and must name it.
    const bool tolerated = st != nullptr && (irt == "0" || irt.empty()) &&
                           st->status_type != wire_name(StatusType::Success) &&
                           st->status_type != wire_name(StatusType::Pending);
    if (!tolerated)
      return response_error("the " + std::string(message_type_name(*answer)) + " answers message '" + irt +
                            "', not our request '" + message_id + "'");
    st->details.push_back({std::string(kUnreadDetail), Mixed::text("1")});
  }
  return answer;
}

Result<Message> Session::exchange(ServiceType service, const Message& v11_request, bool idempotent) {
  return exchange_on(*transport_, service, v11_request, idempotent);
}

Result<Message> Session::exchange_on(Transport& t, ServiceType service, const Message& v11_request, bool idempotent,
                                     const BodyPeek* peek) {
  auto url = require(service);
  if (!url.ok()) return url.error();
  for (int attempt = 1;; ++attempt) {
    const bool last = attempt >= opt_.retry.max_attempts;
    auto r = exchange_once(t, *url, v11_request, generate_message_id(), peek);
    if (!r.ok()) {
      const Error& e = r.error();
      const ErrorOrigin o = origin_of(e);
      bool again = false;
      if (o == ErrorOrigin::Transport) again = idempotent || stage_of(e) == FailureStage::Connect;
      if (o == ErrorOrigin::Http) again = transient_http(e, idempotent);
      if (!again || last) return r;
      wait(backoff(attempt), "try " + std::to_string(attempt) + " failed (" + describe(e) + ")");
      continue;
    }
    const auto* st = std::get_if<v11::StatusMessage>(&*r);
    if (st == nullptr || st->status_type != wire_name(StatusType::Retry) || last) return r;
    // Services 1.1 §4.4.1: RETRY = nothing was done; ESTIMATED_WAIT (optional) says when.
    const std::chrono::milliseconds d = retry_wait(*st, attempt);
    wait(d, "server answered RETRY" + (st->message ? ": " + *st->message : std::string()));
  }
}

Result<v11::DiscoveryResponse> Session::discover() {
  return expect_answer<v11::DiscoveryResponse>(exchange(ServiceType::Discovery, Message{v11::DiscoveryRequest{}}),
                                        "Discovery_Response");
}

Status Session::locate_services() {
  auto d = discover();
  if (!d.ok()) return d.error();
  const Url base = *address(ServiceType::Discovery);
  for (ServiceType t : {ServiceType::CollectionManagement, ServiceType::Poll, ServiceType::Inbox}) {
    if (address(t)) continue;
    std::optional<Url> best;
    int best_score = -1;
    for (const auto& si : d->service_instances) {
      if (si.service_type != t || si.service_version != services_version()) continue;
      if (si.available == false) continue;
      if (std::find(si.message_bindings.begin(), si.message_bindings.end(), message_binding()) == si.message_bindings.end())
        continue;
      const bool https = si.protocol_binding == urn::kProtocolHttps;
      if (!https && si.protocol_binding != urn::kProtocolHttp) continue;
      auto u = resolve_url(base, si.address);
      if (!u.ok()) continue;
      // Prefer the scheme the Discovery service was reached with, then declared availability.
      const int score = (https == base.https() ? 2 : 0) + (si.available == true ? 1 : 0);
      if (score > best_score) {
        best_score = score;
        best = std::move(*u);
      }
    }
    if (best) set_address(t, std::move(*best));
  }
  return ok_status();
}

Result<v11::CollectionInformationResponse> Session::collection_information() {
  return expect_answer<v11::CollectionInformationResponse>(
      exchange(ServiceType::CollectionManagement, Message{v11::CollectionInformationRequest{}}),
      "Collection_Information_Response");
}

std::string Session::last_request_id() const {
  std::lock_guard<std::mutex> lock(last_id_mu_);
  return last_request_id_;
}

}  // namespace taxii::client
