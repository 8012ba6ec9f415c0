// A TAXII Inbox for tests of push delivery: a Poco HTTPServer on 127.0.0.1 (port 0) that
// records every Inbox_Message it is sent (headers, bytes, parsed message) and answers a
// Status_Message in the request's version: SUCCESS, or FAILURE for the next `refuse(n)`
// requests (to exercise the sender's retries). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include "bindings/xml/message_binding.hpp"
#include "core/message.hpp"
#include "core/urn.hpp"

namespace taxii::wire {

class RecordingInbox {
 public:
  struct Received {
    std::string taxii_content_type;
    std::string body;
    std::optional<Message> message;
    bool accepted = false;  // answered SUCCESS
  };

  RecordingInbox() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, params);
    server_->start();
  }
  ~RecordingInbox() { server_->stopAll(true); }
  RecordingInbox(const RecordingInbox&) = delete;
  RecordingInbox& operator=(const RecordingInbox&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/inbox"; }
  void refuse(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_ = n;
  }
  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::vector<Received> accepted() const {
    std::vector<Received> out;
    for (auto& r : received())
      if (r.accepted) out.push_back(r);
    return out;
  }
  // Waits until pred(received()) holds; false after the deadline.
  bool wait(const std::function<bool(const std::vector<Received>&)>& pred,
            std::chrono::seconds deadline = std::chrono::seconds(30)) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, deadline, [&] { return pred(received_); });
  }

 private:
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(RecordingInbox& inbox) : inbox_(inbox) {}
    void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
      Received r;
      r.taxii_content_type = rq.get("X-TAXII-Content-Type", "");
      Poco::StreamCopier::copyToString(rq.stream(), r.body);
      auto parsed = xml::parse_any(r.body);
      if (parsed.ok()) r.message = std::move(parsed).value();
      const bool v10 = r.message && version_of(*r.message) == Version::V10;
      std::string type = "SUCCESS";
      {
        std::lock_guard<std::mutex> lock(inbox_.mu_);
        if (!r.message) type = "BAD_MESSAGE";
        else if (inbox_.refuse_ > 0 && inbox_.refuse_--) type = "FAILURE";
      }
      r.accepted = type == "SUCCESS";
      const std::string in_response_to = r.message ? message_id_of(*r.message) : "0";
      Message answer;
      if (v10) {
        v10::StatusMessage s;
        s.message_id = "1";
        s.in_response_to = in_response_to;
        s.status_type = type;
        answer = s;
      } else {
        v11::StatusMessage s;
        s.message_id = "1";
        s.in_response_to = in_response_to;
        s.status_type = type;
        answer = s;
      }
      const std::string body = xml::serialize_any(answer).value();
      rs.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
      rs.setContentType("application/xml");
      rs.set("X-TAXII-Content-Type", std::string(v10 ? urn::kMessageXml10 : urn::kMessageXml11));
      rs.set("X-TAXII-Services", std::string(v10 ? urn::kServices10 : urn::kServices11));
      rs.set("X-TAXII-Protocol", std::string(urn::kProtocolHttp));
      rs.setContentLength(static_cast<std::streamsize>(body.size()));
      rs.send() << body;
      {
        std::lock_guard<std::mutex> lock(inbox_.mu_);
        inbox_.received_.push_back(std::move(r));
      }
      inbox_.cv_.notify_all();
    }

   private:
    RecordingInbox& inbox_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(RecordingInbox& inbox) : inbox_(inbox) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(inbox_);
    }

   private:
    RecordingInbox& inbox_;
  };

  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  int refuse_ = 0;
  std::vector<Received> received_;
};

}  // namespace taxii::wire
