// taxiid: the TAXII 1.1 / 1.0 server. See docs/server.md.
#include <malloc.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "auth/password.hpp"
#include "server/accounts.hpp"
#include "server/config.hpp"
#include "server/log.hpp"
#include "server/server.hpp"
#include "storage/store.hpp"

namespace {

constexpr const char* kUsage =
    "usage: taxiid --config FILE        run the server\n"
    "       taxiid --check-config FILE  validate FILE and reach its store; exit 0 if both, 1 if not\n"
    "       taxiid user hash [--password-stdin] [--iterations N]\n"
    "                                   print a PBKDF2 hash for auth.users[].password_hash\n"
    "       taxiid user add|passwd USER --config FILE [--password-stdin] [--groups a,b]\n"
    "       taxiid user del USER --config FILE | taxiid user list --config FILE\n"
    "                                   manage the accounts kept in the configured store\n"
    "       taxiid user token add USER --config FILE [--label TEXT]\n"
    "                                   make an API token (Authorization: Bearer) for USER; printed once\n"
    "       taxiid user token list [USER] --config FILE | taxiid user token revoke ID --config FILE\n"
    "                                   list (ids, never tokens) or revoke the API tokens\n"
    "       taxiid --help | --version\n"
    "\n"
    "Logs go to stderr, one logfmt line per event. SIGHUP reloads the TLS certificate, key and\n"
    "CA files (new connections use them). SIGTERM or SIGINT stops the server\n"
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
  sigaddset(&stop_signals, SIGHUP);  // reload TLS certificates
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  taxii::server::ConfigLoad cfg;
  if (!load(file, cfg)) return 1;
  taxii::server::Logger log;
  {
    const taxii::server::LogConfig& lc = cfg.config->log;
    using taxii::server::Level;
    const Level min = lc.level == "debug" ? Level::Debug
                      : lc.level == "warn" ? Level::Warn
                      : lc.level == "error" ? Level::Error
                                            : Level::Info;
    log.configure(min, lc.requests, lc.buffer_ms);
  }
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
  while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP) {
    auto reloaded = (*server)->reload_tls();
    if (reloaded.ok()) log.info("tls_reloaded");
    else log.error("tls_reload_failed", {{"msg", reloaded.error().message()}});
  }
  log.info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->stop();
  log.info("stopped");
  return 0;
}

int user_hash(int argc, char** argv) {
  bool from_stdin = false;
  unsigned long iterations = taxii::auth::kDefaultIterations;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--password-stdin") {
      from_stdin = true;
    } else if (a == "--iterations" && i + 1 < argc) {
      iterations = std::strtoul(argv[++i], nullptr, 10);
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  std::string password;
  if (!taxii::server::read_password(from_stdin, password)) {
    std::fputs("taxiid: empty password\n", stderr);
    return 1;
  }
  auto h = taxii::auth::hash_password(password, static_cast<uint32_t>(iterations));
  if (!h.ok()) {
    std::fprintf(stderr, "taxiid: %s\n", h.error().message().c_str());
    return 1;
  }
  std::printf("%s\n", h->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Memory (issue #9: < 64 MB while serving a 1M-block poll). glibc's defaults keep freed
  // part-sized buffers (a Poll_Response part, an Inbox body: MBs) cached per worker thread:
  // one arena per thread, and an mmap threshold that grows to the largest buffer freed so far.
  // Two arenas and a fixed 256 KiB threshold (big buffers go back to the kernel when freed)
  // halved taxiid's peak RSS during a poll of 1000-block parts (87 -> 46 MiB).
  // MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ still override these.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Fixing the mmap threshold also pins the trim threshold (128 KiB): the heap top would then
  // be given back (brk/madvise) after nearly every request. 4 MiB keeps that off the hot path
  // (poll peak 46 -> 49 MiB).
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
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
    // The store must be reachable too (a PostgreSQL server: connect, read the schema version).
    auto store = taxii::storage::check_store(cfg.config->storage_uri);
    if (!store.ok()) {
      std::fprintf(stderr, "%s: storage: %s\n", argv[2], store.error().message().c_str());
      return 1;
    }
    std::printf("%s: configuration OK (%zu listeners, %zu services, %zu collections; %s)\n", argv[2],
                cfg.config->listeners.size(), cfg.config->services.size(), cfg.config->collections.size(),
                store->c_str());
    return 0;
  }
  if (argc == 3 && a1 == "--config") return run(argv[2]);
  if (argc >= 3 && a1 == "user" && std::strcmp(argv[2], "hash") == 0) return user_hash(argc, argv);
  if (argc >= 3 && a1 == "user") return taxii::server::user_command(argc, argv);
  std::fputs(kUsage, stderr);
  return 2;
}
