// poco_ceiling: the bare transport taxiid is built on, as a ceiling for bench/run. A minimal
// Poco::Net::HTTPServer on 127.0.0.1 that reads any POST body and answers every request with
// the same bytes (a captured Discovery_Response) and the TAXII headers taxiid sends. No XML,
// no dispatch, no store: whatever taxiid does above this costs the difference.
//
//   poco_ceiling BODY_FILE [THREADS]     prints "listening PORT" once ready; SIGTERM/SIGINT stop it
//
// Poco's server keeps one thread per keep-alive connection, so THREADS (default 256) must cover
// the connections a benchmark opens.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

namespace {

class FixedAnswer : public Poco::Net::HTTPRequestHandler {
 public:
  explicit FixedAnswer(const std::string& body) : body_(body) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(req.stream(), sink);
    resp.setContentType("application/xml");
    resp.set("X-TAXII-Content-Type", "urn:taxii.mitre.org:message:xml:1.1");
    resp.set("X-TAXII-Protocol", "urn:taxii.mitre.org:protocol:http:1.0");
    resp.set("X-TAXII-Services", "urn:taxii.mitre.org:services:1.1");
    resp.setContentLength(static_cast<std::streamsize>(body_.size()));
    resp.send().write(body_.data(), static_cast<std::streamsize>(body_.size()));
  }

 private:
  const std::string& body_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::string body) : body_(std::move(body)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new FixedAnswer(body_);
  }

 private:
  std::string body_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: poco_ceiling BODY_FILE [THREADS]\n");
    return 2;
  }
  std::ifstream f(argv[1], std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) {
    std::fprintf(stderr, "poco_ceiling: cannot read %s\n", argv[1]);
    return 1;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : 256;

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // every thread inherits the mask; main waits

  Poco::ThreadPool pool(2, threads);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(threads);
  params->setMaxQueued(1024);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);  // unlimited
  params->setKeepAliveTimeout(Poco::Timespan(60, 0));
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 1024);
  Poco::Net::HTTPServer server(new Factory(std::move(body)), pool, socket, params);
  server.start();
  std::printf("listening %u\n", static_cast<unsigned>(socket.address().port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server.stopAll(true);
  return 0;
}
