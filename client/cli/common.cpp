#include "client/cli/common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "bindings/xml/message_binding.hpp"
#include "core/json_writer.hpp"
#include "client/cli/command.hpp"
#include "core/urn.hpp"

namespace taxii::cli {
namespace {

bool readable(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return static_cast<bool>(f);
}

std::optional<long> positive(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const long v = std::stol(s);
  if (v <= 0) return std::nullopt;
  return v;
}

void print_trace(const client::TraceEvent& ev) {
  print_wire(ev.outgoing, "POST", ev.url->str(), ev.http_status, *ev.headers, ev.body);
}

}  // namespace

void print_wire(bool outgoing, std::string_view method, const std::string& url, int status,
                const http::HeaderFields& headers, std::string_view body) {
  std::ostringstream os;
  if (outgoing) {
    os << "> " << method << " " << url << "\n";
    for (const auto& [n, v] : headers.fields()) os << "> " << n << ": " << (http::iequals(n, "Authorization") ? "(hidden)" : v) << "\n";
  } else {
    os << "< HTTP " << status << "\n";
    for (const auto& [n, v] : headers.fields()) os << "< " << n << ": " << v << "\n";
  }
  os << "\n" << body << "\n\n";
  std::cerr << os.str() << std::flush;
}

int run_program(const std::vector<Command>& cmds, const std::vector<std::string>& args, void (*usage)(std::ostream&),
                const std::string& version) {
  if (args.empty()) {
    usage(std::cerr);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() > 1) {
      for (const auto& c : cmds)
        if (c.name == args[1]) return c.run({c.name, "--help"});
    }
    usage(std::cout);
    return kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << version << "\n";
    return kExitOk;
  }
  for (const auto& c : cmds)
    if (c.name == args[0]) return c.run(args);
  std::cerr << program_name() << ": '" << args[0] << "' is not a " << program_name() << " command. See '"
            << program_name() << " --help'.\n";
  return kExitUsage;
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  taxii::JsonWriter::quote_into(out, s);  // the one JSON string escaper (core/json_writer.hpp)
  return out;
}

const std::vector<OptionSpec>& network_options() {
  static const std::vector<OptionSpec> specs = {
      {"url", 0, "URL", "address of the service this command talks to"},
      {"host", 0, "HOST", "server host (instead of --url)"},
      {"port", 0, "PORT", "server port (default 80, or 443 with --https)"},
      {"https", 0, "", "use HTTPS with --host"},
      {"path", 0, "PATH", "service path with --host; without it the Discovery service at\n"
                           "/taxii-discovery-service/ is asked for the address"},
      {"discovery", 0, "URL", "find the service's address with this Discovery service"},
      {"taxii", 0, "VERSION", "TAXII version of the server: 1.1 (default) or 1.0"},
      {"user", 0, "USER", "HTTP Basic user name (default: $TAXII_USER)"},
      {"password", 0, "PASSWORD", "HTTP Basic password (default: $TAXII_PASSWORD)"},
      {"cert", 0, "FILE", "client certificate (PEM) for HTTPS"},
      {"key", 0, "FILE", "private key of --cert (PEM; default: in the --cert file)"},
      {"ca", 0, "FILE", "CA certificates (PEM) to verify the server (default: the system's)"},
      {"insecure", 0, "", "do not verify the server's certificate or host name"},
      {"proxy", 0, "URL", "HTTP proxy, http://[user:password@]host:port"},
      {"timeout", 0, "SECONDS", "connect/send/receive timeout (default 60)"},
      {"retries", 0, "N", "retries after RETRY answers and network errors (default 3)"},
      {"json", 0, "", "machine-readable output: one JSON document (docs/cli.md)"},
      {"verbose", 'v', "", "print every request and response (headers and XML) on stderr"},
  };
  return specs;
}

std::vector<OptionSpec> with_network_options(std::vector<OptionSpec> specs) {
  for (const auto& s : network_options()) specs.push_back(s);
  specs.push_back({"help", 'h', "", "show this help"});
  return specs;
}

std::string help_options(const std::vector<OptionSpec>& all) {
  std::vector<OptionSpec> own, common;
  for (const auto& o : all) {
    const bool is_common = o.name == "help" || std::any_of(network_options().begin(), network_options().end(),
                                                           [&o](const OptionSpec& n) { return n.name == o.name; });
    (is_common ? common : own).push_back(o);
  }
  std::string out;
  if (!own.empty()) out += "options:\n" + format_options(own) + "\n";
  return out + "common options:\n" + format_options(common);
}

std::optional<int> parse_command(const std::string& command, const std::vector<std::string>& argv,
                                 const std::vector<OptionSpec>& specs, const char* usage, Args& args, bool positional) {
  if (auto err = parse_args(argv, specs, args)) return usage_error(command, *err);
  if (args.has("help")) {
    std::cout << usage << help_options(specs) << kNetworkExitCodes;
    return kExitOk;
  }
  if (!positional && !args.positional().empty())
    return usage_error(command, "unexpected argument '" + args.positional()[0] + "'");
  return std::nullopt;
}

std::string& program_name() {
  static std::string name = "taxii";
  return name;
}

int usage_error(const std::string& command, const std::string& message) {
  const std::string& p = program_name();
  std::cerr << p << " " << command << ": " << message << "\nRun '" << p << " " << command << " --help' for usage.\n";
  return kExitUsage;
}

int exit_code_for(const Error& e) {
  switch (client::origin_of(e)) {
    case client::ErrorOrigin::Server: return kExitTaxiiStatus;
    case client::ErrorOrigin::Http:
    case client::ErrorOrigin::Transport:
    case client::ErrorOrigin::Response: return kExitTransport;
    case client::ErrorOrigin::Local: return kExitUsage;
  }
  return kExitTransport;
}

void write_json_error(JsonWriter& w, const Error& e) {
  w.key("error").begin_object();
  w.field("origin", client::to_string(client::origin_of(e)));
  w.field("status_type", client::status_type_name(e));
  w.field("message", e.message());
  w.key("http_status");
  if (auto h = client::http_status_of(e)) w.value(*h); else w.null();
  w.key("details").begin_array();
  for (const auto& d : client::visible_details(e)) w.begin_object().field("name", d.name).field("value", d.value).end_object();
  w.end_array();
  w.end_object();
}

void print_error(const Error& e) {
  std::string hint;
  if (client::origin_of(e) == client::ErrorOrigin::Server && client::detail_value(e, client::kUnreadDetail)) {
    hint = " (answered before the request was read: check the URL and --taxii";
    if (e.type() == StatusType::Failure) hint += "; OpenTAXII answers FAILURE for HTTP header problems";
    hint += ")";
  } else if (client::origin_of(e) == client::ErrorOrigin::Server && client::http_status_of(e) == 404) {
    hint = " (HTTP 404: no service at that path; check the URL)";
  }
  std::cerr << "taxii: " << client::describe(e) << hint << "\n";
}

int report(const NetContext& ctx, const Error& e) {
  print_error(e);
  if (ctx.json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", ctx.command).field("ok", false);
    write_json_error(w, e);
    w.end_object().finish();
  }
  return exit_code_for(e);
}

Problem transport_options(const std::string& command, const Args& args, client::TransportOptions& to) {
  for (const char* f : {"ca", "cert", "key"}) {
    if (auto p = args.get(f); p && !readable(*p)) {
      std::cerr << program_name() << " " << command << ": cannot read --" << f << " file '" << *p << "'\n";
      return kExitIo;
    }
  }
  to.tls.ca_file = args.get("ca").value_or("");
  to.tls.cert_file = args.get("cert").value_or("");
  to.tls.key_file = args.get("key").value_or("");
  to.tls.verify = !args.has("insecure");
  to.missing_certificate_hint = " (does the server require a client certificate? see --cert)";
  if (!to.tls.key_file.empty() && to.tls.cert_file.empty()) return usage_error(command, "--key needs --cert");
  if (auto p = args.get("proxy")) {
    auto px = client::parse_proxy(*p);
    if (!px.ok()) return usage_error(command, px.error().message());
    to.proxy = *px;
  }
  if (auto t = args.get("timeout")) {
    auto v = positive(*t);
    if (!v) return usage_error(command, "--timeout needs a positive number of seconds");
    to.timeout = std::chrono::seconds(*v);
  }
  return std::nullopt;
}

Problem basic_credentials(const std::string& command, const Args& args, std::optional<client::Credentials>& out) {
  const char* env_user = std::getenv("TAXII_USER");
  const char* env_password = std::getenv("TAXII_PASSWORD");
  std::optional<std::string> user = args.get("user");
  if (!user && env_user != nullptr && *env_user != '\0') user = env_user;
  if (user) out = client::Credentials{*user, args.get("password").value_or(env_password ? env_password : "")};
  else if (args.has("password")) return usage_error(command, "--password needs --user");
  return std::nullopt;
}

namespace {

// --taxii, --retries, --user, --password, --connections, and the trace of -v and --raw.
Problem session_options(NetContext& ctx, const Args& args, client::SessionOptions& so) {
  const std::string version = args.get("taxii").value_or("1.1");
  if (version == "1.1") so.version = Version::V11;
  else if (version == "1.0") so.version = Version::V10;
  else if (version == "2.1" || version == "2.0") return usage_error(ctx.command, "--taxii must be 1.1 or 1.0 (for TAXII 2.1 use 'taxii2 " + ctx.command + "')");
  else return usage_error(ctx.command, "--taxii must be 1.1 or 1.0");
  if (auto r = args.get("retries")) {
    if (*r != "0" && !positive(*r)) return usage_error(ctx.command, "--retries needs a number");
    so.retry.max_attempts = 1 + static_cast<int>(*r == "0" ? 0 : *positive(*r));
  }
  if (auto p = basic_credentials(ctx.command, args, so.basic_auth)) return p;

  auto raw = std::make_shared<std::function<void(std::string_view)>>();
  const bool verbose = ctx.verbose > 0;
  // Only -v and --raw watch the wire; without a trace, polls fetch two parts at once.
  if (verbose || args.has("raw"))
    so.trace = [verbose, raw](const client::TraceEvent& ev) {
      if (verbose) print_trace(ev);
      if (!ev.outgoing && *raw) (*raw)(ev.body);
    };
  so.prefetch_parts = !verbose && !args.has("raw");  // -v / --raw print in wire order
  if (auto c = args.get("connections")) {  // poll and fulfill only
    if (*c != "1" && *c != "2") return usage_error(ctx.command, "--connections must be 1 or 2");
    so.poll_connections = *c == "1" ? 1 : 2;
  }
  so.notice = [](const std::string& m) { std::cerr << "taxii: " << m << "\n"; };
  ctx.set_raw_response = [raw](std::function<void(std::string_view)> f) { *raw = std::move(f); };
  return std::nullopt;
}

// --url, or --host [--port] [--https] [--path]: the primary service's address, or (--host
// without --path) the Discovery service to ask for it; --discovery names that one directly.
Problem addresses(NetContext& ctx, const Args& args, ServiceType primary, std::optional<client::Url>& discovery) {
  const std::string& command = ctx.command;
  if (auto u = args.get("url")) {
    auto url = client::parse_url(*u);
    if (!url.ok()) return usage_error(command, "--url: " + url.error().message());
    ctx.session->set_address(primary, *url);
  } else if (auto h = args.get("host")) {
    std::string port;
    if (auto p = args.get("port")) {
      if (!positive(*p)) return usage_error(command, "--port needs a number");
      port = ":" + *p;
    }
    std::string path = args.get("path").value_or("");
    if (!path.empty() && path[0] != '/') path = "/" + path;
    const std::string host = h->find(':') != std::string::npos ? "[" + *h + "]" : *h;
    auto url = client::parse_url(std::string(args.has("https") ? "https" : "http") + "://" + host + port +
                                 (path.empty() ? "/taxii-discovery-service/" : path));
    if (!url.ok()) return usage_error(command, url.error().message());
    if (path.empty()) discovery = *url;
    else ctx.session->set_address(primary, *url);
  } else if (args.has("port") || args.has("path") || args.has("https")) {
    return usage_error(command, "--port, --path and --https go with --host");
  }
  if (auto d = args.get("discovery")) {
    auto url = client::parse_url(*d);
    if (!url.ok()) return usage_error(command, "--discovery: " + url.error().message());
    discovery = *url;
  }
  // --url naming the Discovery service itself makes --discovery redundant.
  if (discovery && !(primary == ServiceType::Discovery && ctx.session->address(primary)))
    ctx.session->set_address(ServiceType::Discovery, *discovery);
  return std::nullopt;
}

// Asks the Discovery service for the primary service's address when it has none yet.
Problem locate(NetContext& ctx, const Args& args, ServiceType primary, const std::optional<client::Url>& discovery) {
  if (ctx.session->address(primary)) return std::nullopt;
  if (!discovery) return usage_error(ctx.command, "give the service's --url, or --host, or --discovery URL");
  if (auto st = ctx.session->locate_services(); !st.ok()) return report(ctx, st.error());
  if (!ctx.session->address(primary))
    return report(ctx, client::local_error("the Discovery service " + discovery->str() + " lists no " +
                                           std::string(to_string(primary)) + " service for TAXII " +
                                           args.get("taxii").value_or("1.1") + " over HTTP(S); give its --url"));
  if (ctx.verbose)
    std::cerr << "taxii: " << to_string(primary) << " service at " << ctx.session->address(primary)->str() << "\n";
  return std::nullopt;
}

}  // namespace

std::optional<NetContext> open_session(const std::string& command, const Args& args, ServiceType primary,
                                       int& exit_code) {
  NetContext ctx;
  ctx.command = command;
  ctx.json = args.has("json");
  for (const auto& o : args.sequence()) ctx.verbose += o.first == "verbose";
  client::SessionOptions so;
  client::TransportOptions to;
  std::optional<client::Url> discovery;
  Problem problem = session_options(ctx, args, so);
  if (!problem) problem = transport_options(command, args, to);
  if (!problem) {
    ctx.session = std::make_unique<client::Session>(std::make_unique<client::HttpTransport>(to), std::move(so));
    problem = addresses(ctx, args, primary, discovery);
  }
  if (!problem) problem = locate(ctx, args, primary, discovery);
  if (problem) {
    exit_code = *problem;
    return std::nullopt;
  }
  return ctx;
}

std::optional<std::vector<v11::ContentBinding>> content_bindings(const Args& args, std::string& error) {
  std::vector<v11::ContentBinding> out;
  for (const auto& [name, value] : args.sequence()) {
    if (name == "binding") {
      v11::ContentBinding cb;
      const size_t gt = value.find('>');
      cb.binding_id = value.substr(0, gt);
      if (gt != std::string::npos) {
        std::stringstream ss(value.substr(gt + 1));
        for (std::string sub; std::getline(ss, sub, ',');)
          if (!sub.empty()) cb.subtypes.push_back(sub);
      }
      if (cb.binding_id.empty()) {
        error = "--binding needs a content binding ID";
        return std::nullopt;
      }
      out.push_back(std::move(cb));
    } else if (name == "subtype") {
      if (out.empty()) {
        error = "--subtype must follow a --binding";
        return std::nullopt;
      }
      out.back().subtypes.push_back(value);
    }
  }
  return out;
}

std::optional<Timestamp> parse_time(const std::string& option, const std::string& text, std::string& error) {
  if (auto t = Timestamp::parse(text)) return t;
  if (auto t = Timestamp::parse_lenient(text)) return t;
  error = option + ": '" + text + "' is not an RFC 3339 date-time (e.g. 2024-05-01T00:00:00Z)";
  return std::nullopt;
}

bool read_file(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return !f.bad();
}

int read_query(const std::string& command, const std::string& path, std::optional<v11::Query>& out) {
  std::string body;
  if (!read_file(path, body)) {
    std::cerr << "taxii " << command << ": cannot read --query file '" << path << "'\n";
    return kExitIo;
  }
  if (body.rfind("\xEF\xBB\xBF", 0) == 0) body.erase(0, 3);
  if (body.rfind("<?xml", 0) == 0) {
    const size_t end = body.find("?>");
    if (end != std::string::npos) body.erase(0, end + 2);
  }
  const size_t b = body.find_first_not_of(" \t\r\n");
  body = b == std::string::npos ? std::string() : body.substr(b, body.find_last_not_of(" \t\r\n") - b + 1);
  v11::Query q{std::string(urn::kQueryDefault10), Mixed{body}};
  // Check it as the server will: inside a Poll_Request, against the Default Query schema.
  v11::PollRequest probe;
  probe.message_id = "1";
  probe.collection_name = "probe";
  probe.poll_parameters = v11::PollParameters{};
  probe.poll_parameters->query = q;
  auto xml = xml::xml11().serialize(Message{probe});
  Status st = ok_status();
  if (xml.ok()) {
    auto parsed = xml::xml11().parse(*xml);
    if (!parsed.ok()) st = parsed.error();
  } else {
    st = xml.error();
  }
  if (!st.ok() || body.find("Default_Query") == std::string::npos) {
    std::cerr << "taxii " << command << ": --query " << path << ": not a tdq:Default_Query ("
              << (st.ok() ? std::string("no Default_Query element") : st.error().message()) << ")\n";
    return kExitUsage;
  }
  out = std::move(q);
  return 0;
}

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Progress::Progress(std::string verb, bool enabled, std::string unit)
    : verb_(std::move(verb)), unit_(std::move(unit)), enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::add(uint64_t blocks, uint64_t bytes) {
  blocks_ += blocks;
  bytes_ += bytes;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  draw();
}

void Progress::draw() {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const uint64_t rate = secs > 0 ? static_cast<uint64_t>(static_cast<double>(bytes_) / secs) : 0;
  std::cerr << "\r\033[K" << verb_ << ": " << blocks_ << " " << unit_ << ", " << human_bytes(bytes_) << ", "
            << human_bytes(rate) << "/s" << std::flush;
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
  enabled_ = false;
}

}  // namespace taxii::cli
