// PushSender: the outbox worker's seam to the network (STYLE.md: an interface with a real and
// a fake implementation). It POSTs one serialized TAXII message to an Inbox service and returns
// the HTTP answer, whatever it is; judging it is the worker's job (push_message.hpp).
//
// The real one is server/push_sender.hpp (Poco HTTP/HTTPS client, TLS verified); tests use
// fakes. One sender is used by one worker thread at a time; implementations need not be
// thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "services/push/push_address.hpp"

namespace taxii::services {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct PushReply {
  int http_status = 0;
  std::string taxii_content_type;  // X-TAXII-Content-Type, if any
  std::string body;
};

class PushSender {
 public:
  virtual ~PushSender() = default;
  // One POST. Any HTTP answer is a successful exchange. Fails (Failure, naming the address and
  // the reason) when no complete HTTP answer arrived: refused, TLS verification, timeout, ...
  virtual Result<PushReply> post(const PushAddress& to, const HttpHeaders& headers, const std::string& body) = 0;
};

}  // namespace taxii::services
