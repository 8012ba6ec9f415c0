// libFuzzer target: a raw HTTP request through the server's request path without sockets:
// Poco's HTTP request parser (the one HTTPServerRequestImpl uses), the TAXII header checks
// (bindings/http/taxii_headers) and the XML message binding named by the headers, with the
// body limits of the handler. Any bytes must be answered (a parse error, a header error or a
// message), never crash or throw out. What this does not reach: TaxiiHandler itself, whose
// Poco request/response objects need a socket session (docs/security.md, "Fuzzing").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include "bindings/http/taxii_headers.hpp"
#include "bindings/xml/message_binding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace taxii;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  Poco::Net::HTTPRequest req;
  try {
    req.read(in);
  } catch (const Poco::Exception&) {
    return 0;  // the engine answers 400
  }
  http::TaxiiHeaders h;
  auto get = [&](const char* name, std::optional<std::string>& into) {
    if (req.has(name)) into = req.get(name);
  };
  get("Content-Type", h.content_type);
  get("Accept", h.accept);
  get("X-TAXII-Content-Type", h.x_content_type);
  get("X-TAXII-Accept", h.x_accept);
  get("X-TAXII-Protocol", h.x_protocol);
  get("X-TAXII-Services", h.x_services);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (bool https : {false, true}) {
    const http::HeaderCheck check = http::check_headers(h, https);
    (void)http::guess_version(h);
    if (check.binding == nullptr) continue;
    xml::ParseLimits limits;
    limits.max_bytes = 1u << 20;
    auto m = xml::parse_with(*check.binding, body, limits);
    if (m.ok()) (void)xml::serialize_any(*m);
  }
  return 0;
}
