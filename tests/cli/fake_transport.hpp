// An in-process Transport for client tests: each request is parsed with the XML binding and
// handed to a handler that returns the HTTP answer; helpers build TAXII answers that echo the
// request's message_id. Records every request. Not thread-safe (one test at a time).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "client/errors.hpp"
#include "client/session.hpp"
#include "client/transport.hpp"
#include "core/clock.hpp"
#include "core/urn.hpp"

namespace taxii::test {

struct SeenRequest {
  client::HttpRequest http;
  Message message;  // parsed body
};

class FakeTransport final : public client::Transport {
 public:
  using Handler = std::function<Result<client::HttpResponse>(const SeenRequest&)>;
  explicit FakeTransport(Handler h, std::vector<SeenRequest>* log) : handler_(std::move(h)), log_(log) {}

  Result<client::HttpResponse> post(const client::HttpRequest& request) override {
    auto parsed = xml::parse_any(request.body);
    if (!parsed.ok()) return client::transport_error(client::FailureStage::Send, "test: unparseable request: " + parsed.error().message());
    SeenRequest seen{request, std::move(*parsed)};
    log_->push_back(seen);
    return handler_(seen);
  }

 private:
  Handler handler_;
  std::vector<SeenRequest>* log_;
};

// A 200 answer carrying m (its in_response_to set to the request's message_id unless
// keep_in_response_to), with the headers of its version.
inline client::HttpResponse taxii_answer(const SeenRequest& req, Message m, bool keep_in_response_to = false) {
  std::visit(
      [&req, keep_in_response_to](auto& x) {
        if constexpr (std::is_base_of_v<ResponseBase, std::decay_t<decltype(x)>>) {
          if (!keep_in_response_to) x.in_response_to = message_id_of(req.message);
        }
        if (x.message_id.empty()) x.message_id = "900";
      },
      m);
  client::HttpResponse r;
  r.status = 200;
  r.reason = "OK";
  const bool v11 = version_of(m) == Version::V11;
  r.headers.add("Content-Type", "application/xml");
  r.headers.add("X-TAXII-Content-Type", std::string(v11 ? urn::kMessageXml11 : urn::kMessageXml10));
  r.headers.add("X-TAXII-Services", std::string(v11 ? urn::kServices11 : urn::kServices10));
  r.headers.add("X-TAXII-Protocol", std::string(urn::kProtocolHttp));
  r.body = *xml::serialize_any(m);
  return r;
}

// The error message of a failed result, "" otherwise (BOOST_TEST evaluates its message
// argument even when the check passes, so r.error() cannot be used there).
template <class T>
std::string why(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().message();
}

inline v11::StatusMessage status11(std::string type, std::string text = {},
                                   std::vector<std::pair<std::string, std::string>> details = {}) {
  v11::StatusMessage s;
  s.status_type = std::move(type);
  if (!text.empty()) s.message = std::move(text);
  for (auto& [n, v] : details) s.details.push_back({n, Mixed::text(v)});
  return s;
}

inline v11::ContentBlock block11(const std::string& text) {
  v11::ContentBlock b;
  b.binding_id = std::string(urn::kStix12);
  b.content = Mixed::text(text);
  return b;
}

// A clock that records every sleep and advances a ManualClock by it instead of sleeping.
class RecordingClock final : public Clock {
 public:
  Timestamp now() const override { return clock.now(); }
  void sleep_for(std::chrono::milliseconds d) const override {
    sleeps.push_back(d);
    clock.advance(d);
  }
  ManualClock clock;
  mutable std::vector<std::chrono::milliseconds> sleeps;
};

// A Session over a FakeTransport with every service at `url`; sleeps are recorded, not slept.
struct Harness {
  std::vector<SeenRequest> seen;
  RecordingClock clock;
  std::vector<std::chrono::milliseconds>& sleeps = clock.sleeps;
  std::unique_ptr<client::Session> session;

  explicit Harness(FakeTransport::Handler h, Version v = Version::V11, const std::string& url = "http://taxii.test/svc") {
    client::SessionOptions o;
    o.version = v;
    session = std::make_unique<client::Session>(std::make_unique<FakeTransport>(std::move(h), &seen), std::move(o), clock);
    const auto u = *client::parse_url(url);
    for (auto t : {ServiceType::Discovery, ServiceType::CollectionManagement, ServiceType::Poll, ServiceType::Inbox})
      session->set_address(t, u);
  }
};

}  // namespace taxii::test
