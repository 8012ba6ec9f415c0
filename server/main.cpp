// taxiid: the TAXII 1.1 / 1.0 server. See docs/server.md.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "server/config.hpp"
#include "server/log.hpp"
#include "server/server.hpp"

namespace {

constexpr const char* kUsage =
    "usage: taxiid --config FILE        run the server\n"
    "       taxiid --check-config FILE  validate FILE; exit 0 if valid, 1 if not\n"
    "       taxiid --help | --version\n"
    "\n"
    "Logs go to stderr, one logfmt line per event. SIGTERM or SIGINT stops the server\n"
    "cleanly: it stops accepting, finishes requests in flight and closes the store.\n";

bool load(const std::string& file, taxii::server::ConfigLoad& out) {
  out = taxii::server::load_config(file);
  for (const auto& e : out.errors) std::fprintf(stderr, "%s\n", e.c_str());
  return out.config.has_value();
}

// Idle keep-alive connections cost one descriptor each: allow as many as the system lets us.
std::string raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return "?";
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return std::to_string(r.rlim_cur);
}

int run(const std::string& file) {
  // Signals are taken synchronously by the main thread (sigwait); every thread started
  // later inherits the mask. Writes to closed sockets (also through OpenSSL) must not kill us.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  taxii::server::ConfigLoad cfg;
  if (!load(file, cfg)) return 1;
  taxii::server::Logger log;
  log.info("starting", {{"version", TAXII_VERSION}, {"config", cfg.config->file}, {"max_fds", raise_fd_limit()}});
  auto server = taxii::server::Server::create(*cfg.config, log);
  if (!server.ok()) {
    log.error("startup_failed", {{"msg", server.error().message()}});
    return 1;
  }
  (*server)->start();
  const auto& bound = (*server)->bound();
  for (std::size_t i = 0; i < bound.size(); ++i)
    log.info("listening", {{"address", bound[i].address},
                           {"port", std::to_string(bound[i].port)},
                           {"protocol", bound[i].https ? "https" : "http"},
                           {"url", (*server)->base_urls()[i]}});
  log.info("ready", {{"storage", cfg.config->storage_uri}});
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log.info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->stop();
  log.info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string a1 = argc > 1 ? argv[1] : "";
  if (argc == 2 && (a1 == "--help" || a1 == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc == 2 && a1 == "--version") {
    std::printf("taxiid %s\n", TAXII_VERSION);
    return 0;
  }
  if (argc == 3 && a1 == "--check-config") {
    taxii::server::ConfigLoad cfg;
    if (!load(argv[2], cfg)) return 1;
    std::printf("%s: configuration OK (%zu listeners, %zu services, %zu collections)\n", argv[2],
                cfg.config->listeners.size(), cfg.config->services.size(), cfg.config->collections.size());
    return 0;
  }
  if (argc == 3 && a1 == "--config") return run(argv[2]);
  std::fputs(kUsage, stderr);
  return 2;
}
