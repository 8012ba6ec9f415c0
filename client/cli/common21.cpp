#include "client/cli/common21.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>

#include "client/cli/command.hpp"
#include "client/errors.hpp"

namespace taxii::cli {
namespace {

// --url and -v say what they mean here; the others are taxii's (common.hpp).
const std::vector<OptionSpec>& options21() {
  static const std::vector<OptionSpec> specs = [] {
    std::vector<OptionSpec> out = {{"url", 0, "URL", "an API root (https://host/api1/), or the server's discovery URL\n"
                                                      "(https://host/taxii2/) to use its default API root"}};
    const std::vector<std::string> shared = {"user", "password", "cert", "key", "ca", "insecure", "proxy", "timeout", "json"};
    for (const auto& o : network_options())
      if (std::find(shared.begin(), shared.end(), o.name) != shared.end()) out.push_back(o);
    out.push_back({"verbose", 'v', "", "print every request and response (headers and JSON) on stderr"});
    return out;
  }();
  return specs;
}

const std::vector<OptionSpec>& all_filter_specs() {
  static const std::vector<OptionSpec> specs = {
      {"added-after", 0, "TIME", "only what was added after TIME (RFC 3339; TAXII 2.1 §3.4)"},
      {"match-id", 0, "IDS", "only these object ids (comma-separated; repeatable)"},
      {"type", 0, "TYPES", "only these object types (comma-separated; repeatable)"},
      {"version", 0, "VERSIONS", "last (default), first, all, or modified timestamps (comma-separated)"},
      {"spec-version", 0, "VERSIONS", "only these STIX spec versions, e.g. 2.1 (default: the latest)"},
      {"limit", 0, "N", "objects per page asked of the server (it may send fewer)"},
      {"next", 0, "TOKEN", "start at this `next` value of an earlier page"},
      {"no-follow", 0, "", "fetch one page only (its `more` and `next` are shown)"},
  };
  return specs;
}

void print_trace(const client21::Trace& ev) {
  print_wire(ev.outgoing, ev.method, ev.url->str(), ev.http_status, *ev.headers, ev.body);
}

std::vector<std::string> comma_values(const Args& args, const char* name) {
  std::vector<std::string> out;
  for (const auto& v : args.all(name)) {
    std::stringstream ss(v);
    for (std::string item; std::getline(ss, item, ',');)
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

std::vector<OptionSpec> with_options21(std::vector<OptionSpec> specs) {
  for (const auto& s : options21()) specs.push_back(s);
  specs.push_back({"help", 'h', "", "show this help"});
  return specs;
}

std::vector<OptionSpec> filter_specs21(const std::vector<std::string>& names) {
  std::vector<OptionSpec> out;
  for (const auto& s : all_filter_specs())
    if (std::find(names.begin(), names.end(), s.name) != names.end()) out.push_back(s);
  return out;
}

std::optional<int> parse21(const std::string& command, const std::vector<std::string>& argv,
                           const std::vector<OptionSpec>& specs, const char* usage, Args& args, bool positional) {
  if (auto err = parse_args(argv, specs, args)) return usage_error(command, *err);
  if (args.has("help")) {
    std::vector<OptionSpec> own, common;
    for (const auto& o : specs) {
      const bool is_common = o.name == "help" || std::any_of(options21().begin(), options21().end(),
                                                             [&o](const OptionSpec& n) { return n.name == o.name; });
      (is_common ? common : own).push_back(o);
    }
    std::cout << usage;
    if (!own.empty()) std::cout << "options:\n" << format_options(own) << "\n";
    std::cout << "common options:\n" << format_options(common) << kExitCodes21;
    return kExitOk;
  }
  if (!positional && !args.positional().empty())
    return usage_error(command, "unexpected argument '" + args.positional()[0] + "'");
  return std::nullopt;
}

std::optional<Context21> open21(const std::string& command, const Args& args, int& exit_code, bool resolve) {
  Context21 ctx;
  ctx.command = command;
  ctx.json = args.has("json");
  for (const auto& o : args.sequence()) ctx.verbose += o.first == "verbose";
  auto u = args.get("url");
  if (!u) {
    exit_code = usage_error(command, "give the server's --url (an API root, or https://host/taxii2/)");
    return std::nullopt;
  }
  auto url = client::parse_url(*u);
  if (!url.ok()) {
    exit_code = usage_error(command, "--url: " + url.error().message());
    return std::nullopt;
  }
  ctx.url = *url;
  client21::Options o;
  client::TransportOptions to;
  Problem p = basic_credentials(command, args, o.basic_auth);
  if (!p) p = transport_options(command, args, to);
  if (p) {
    exit_code = *p;
    return std::nullopt;
  }
  if (ctx.verbose > 0) o.trace = print_trace;
  o.user_agent = std::string("taxii2/") + TAXII_VERSION;
  ctx.client = std::make_unique<client21::Client>(std::make_unique<client::HttpTransport>(to), std::move(o));
  if (!resolve) return ctx;
  auto root = ctx.client->resolve_root(ctx.url);
  if (!root.ok()) {
    exit_code = report21(ctx, root.error());
    return std::nullopt;
  }
  ctx.root = *root;
  if (ctx.verbose > 0 && root->str() != ctx.url.str()) std::cerr << "taxii2: API root " << root->str() << "\n";
  return ctx;
}

std::optional<std::string> required21(const std::string& command, const Args& args, const char* name, int& exit_code) {
  auto v = args.get(name);
  if (!v || v->empty()) {
    exit_code = usage_error(command, std::string("--") + name + " is required");
    return std::nullopt;
  }
  return v;
}

Problem filter21(const std::string& command, const Args& args, const std::vector<std::string>& allowed,
                 client21::Filter& f) {
  auto on = [&allowed](const char* n) { return std::find(allowed.begin(), allowed.end(), n) != allowed.end(); };
  if (auto t = args.get("added-after"); t && on("added-after")) {
    std::string error;
    auto ts = parse_time("--added-after", *t, error);
    if (!ts) return usage_error(command, error);
    f.added_after = Timestamp::from_micros(ts->micros()).to_string();  // UTC, microseconds (§2)
  }
  if (on("match-id")) f.ids = comma_values(args, "match-id");
  if (on("type")) f.types = comma_values(args, "type");
  if (on("version")) f.versions = comma_values(args, "version");
  if (on("spec-version")) f.spec_versions = comma_values(args, "spec-version");
  if (auto l = args.get("limit"); l && on("limit")) {
    if (l->empty() || l->size() > 9 || l->find_first_not_of("0123456789") != std::string::npos || std::stoul(*l) == 0)
      return usage_error(command, "--limit needs a positive number");
    f.limit = std::stoul(*l);
  }
  if (auto n = args.get("next"); n && on("next")) f.next = *n;
  return std::nullopt;
}

int exit_code21(const Error& e) {
  switch (client::origin_of(e)) {
    case client::ErrorOrigin::Server: return kExitTaxiiStatus;
    case client::ErrorOrigin::Local: return kExitUsage;
    default: return kExitTransport;
  }
}

void write_error21(JsonWriter& w, const Error& e) {
  w.key("error").begin_object();
  w.field("origin", client::to_string(client::origin_of(e))).field("message", e.message());
  w.key("http_status");
  if (auto h = client::http_status_of(e)) w.value(*h); else w.null();
  const auto fields = client21::error_fields(e);
  if (!fields.empty()) {  // the server's error resource (TAXII 2.1 §3.6.1)
    w.key("resource").begin_object();
    for (const auto& d : fields) {
      if (d.name == "details") w.key(d.name).json_value(d.value);  // compact JSON (an object)
      else w.field(d.name, d.value);
    }
    w.end_object();
  }
  w.end_object();
}

int report21(const Context21& ctx, const Error& e) {
  std::string hint;
  const auto h = client::http_status_of(e);
  if (h == 401) hint = " (check --user/--password or --cert)";
  else if (client::origin_of(e) == client::ErrorOrigin::Transport && e.message().find("certificate") != std::string::npos)
    hint = " (see --ca, --insecure)";
  std::cerr << program_name() << " " << ctx.command << ": " << e.message() << hint << "\n";
  if (ctx.json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", ctx.command).field("ok", false);
    write_error21(w, e);
    w.end_object().finish();
  }
  return exit_code21(e);
}

}  // namespace taxii::cli
