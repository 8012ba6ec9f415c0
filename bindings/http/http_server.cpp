// HttpServer: creation (listeners bound, TLS material loaded), TLS reload, start and stop.
// The engine's parts are listed in engine.hpp.
#include "bindings/http/http_server.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include "bindings/http/engine.hpp"

namespace taxii::http {
namespace {

// Binds one listener (plain, or TLS with its first context). Throws Poco exceptions.
std::unique_ptr<engine::Listener> bind_listener(const ListenerOptions& lo, int backlog) {
  auto l = std::make_unique<engine::Listener>();
  const Poco::Net::SocketAddress addr(lo.address, lo.port);
  if (lo.tls) {
    Poco::Net::initializeSSL();
    l->tls = std::make_unique<engine::TlsSlot>(*lo.tls);
    Poco::Net::SecureServerSocket s(l->tls->first());
    s.bind(addr, /*reuseAddress=*/true, /*reusePort=*/false);
    s.listen(backlog);
    l->socket = s;
  } else {
    Poco::Net::ServerSocket s;
    // SO_REUSEADDR (restart while old connections linger in TIME_WAIT), never
    // SO_REUSEPORT: with it a second taxiid on the same port would start and take half
    // the connections (Poco's two-argument bind() sets both).
    s.bind(addr, /*reuseAddress=*/true, /*reusePort=*/false);
    s.listen(backlog);
    l->socket = s;
  }
  l->socket.setBlocking(false);
  l->fd = l->socket.impl()->sockfd();
  l->info.address = lo.address;
  l->info.port = l->socket.address().port();
  l->info.tls = lo.tls.has_value();
  l->info.https = lo.tls.has_value() || lo.behind_tls_proxy;
  return l;
}

}  // namespace

HttpServer::Impl::~Impl() {
  if (ep >= 0) ::close(ep);
  if (wake_fd >= 0) ::close(wake_fd);
}

void HttpServer::Impl::wake() const {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof one);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::create(const std::vector<ListenerOptions>& listeners,
                                                       const EngineOptions& options, Handler handler,
                                                       ErrorLog log, Gate gate, RefusalBody refusal) {
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  if (impl->opt.threads == 0) impl->opt.threads = 1;
  if (impl->opt.max_connections == 0) impl->opt.max_connections = 1;
  impl->handler = std::move(handler);
  impl->log = std::move(log);
  impl->gate = std::move(gate);
  impl->refusal = std::move(refusal);
  impl->params = new Poco::Net::HTTPServerParams;
  impl->params->setKeepAlive(true);
  impl->params->setTimeout(Poco::Timespan(options.request_timeout.count(), 0));
  impl->params->setKeepAliveTimeout(Poco::Timespan(options.keep_alive_timeout.count(), 0));
  impl->params->setServerName("taxiid");

  for (const ListenerOptions& lo : listeners) {
    try {
      auto l = bind_listener(lo, options.backlog);
      l->index = impl->listeners.size();
      impl->bound.push_back(l->info);
      impl->listeners.push_back(std::move(l));
    } catch (const Poco::Exception& e) {
      return Error::failure("listener " + lo.address + ":" + std::to_string(lo.port) + ": " + e.displayText());
    }
  }
  impl->ep = ::epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->ep < 0 || impl->wake_fd < 0) return Error::failure(std::string("epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = engine::kWakeTag;
  if (::epoll_ctl(impl->ep, EPOLL_CTL_ADD, impl->wake_fd, &ev) != 0)
    return Error::failure(std::string("epoll: ") + std::strerror(errno));
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

const std::vector<BoundListener>& HttpServer::bound() const { return impl_->bound; }

Status HttpServer::reload_tls() {
  std::vector<std::pair<engine::TlsSlot*, Poco::Net::Context::Ptr>> fresh;
  for (const auto& l : impl_->listeners) {
    if (!l->tls) continue;
    try {
      fresh.emplace_back(l->tls.get(), engine::make_context(l->tls->options));
    } catch (const Poco::Exception& e) {
      return Error::failure("listener " + l->info.address + ":" + std::to_string(l->info.port) +
                            ": cannot reload TLS files: " + e.displayText());
    }
  }
  for (auto& [slot, ctx] : fresh) slot->install(ctx);
  return Ok{};
}

void HttpServer::start() {
  Impl& m = *impl_;
  if (m.started) return;
  m.started = true;
  m.reactor_role.assume();  // the reactor thread does not run yet: this thread arms the listeners
  for (auto& l : m.listeners) m.arm(*l, true);
  for (std::size_t i = 0; i < m.opt.threads; ++i) m.workers.emplace_back([&m] { m.worker_loop(); });
  m.reactor = std::thread([&m] { m.reactor_loop(); });
}

void HttpServer::stop() {
  Impl& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  m.stopping = true;
  m.wake();  // the reactor closes the listeners and the idle connections
  {
    MutexLock lock(m.work_mu);
    m.workers_exit = true;
  }
  m.work_cv.notify_all();
  for (auto& t : m.workers) t.join();  // in-flight exchanges finish first
  m.reactor_exit = true;
  m.wake();
  m.reactor.join();
  m.reactor_role.assume();  // the reactor thread has ended
  m.parked.clear();
  {
    MutexLock lock(m.work_mu);
    m.work.clear();
  }
  MutexLock lock(m.park_mu);
  m.to_park.clear();
  m.to_close.clear();
}

}  // namespace taxii::http

