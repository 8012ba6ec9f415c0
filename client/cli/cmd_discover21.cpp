// taxii2 discover / taxii2 collections: what a TAXII 2.1 server offers (discovery, TAXII 2.1
// §4.1, with each API root's information, §4.2) and the collections of an API root (§5.1).
#include <iostream>

#include "client/cli/command21.hpp"
#include "client/cli/common21.hpp"

namespace taxii::cli {
namespace {

void json_strings(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) { w.string_array(key, v); }

void json_api_root(JsonWriter& w, const client21::ApiRoot& r) {
  w.field("title", r.title).field("description", r.description);
  json_strings(w, "versions", r.versions);
  w.field("max_content_length", r.max_content_length);
}

// The discovery endpoint for --url: itself, or /taxii2/ on a URL with an empty path.
client21::Url discovery_url(client21::Url u) {
  if (u.target == "/") u.target = "/taxii2/";
  return u;
}

}  // namespace

int run_discover21(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii2 discover --url URL [common options]\n\n"
      "Asks a TAXII 2.1 server's discovery endpoint (https://host/taxii2/; --url https://host/\n"
      "asks /taxii2/) for its API roots, and each API root for its information.\n\n";
  Args args;
  if (auto rc = parse21("discover", argv, with_options21({}), usage, args)) return *rc;
  int rc = kExitOk;
  auto ctx = open21("discover", args, rc, false);
  if (!ctx) return rc;
  const auto url = discovery_url(ctx->url);
  auto d = ctx->client->discover(url);
  if (!d.ok()) return report21(*ctx, d.error());
  JsonWriter w(std::cout);
  if (ctx->json) {
    w.begin_object().field("command", "discover").field("ok", true).field("url", url.str());
    w.field("title", d->title).field("description", d->description).field("contact", d->contact);
    w.field("default", d->default_root).key("api_roots").begin_array();
  } else {
    std::cout << d->title << "\n";
    if (d->description) std::cout << "  " << *d->description << "\n";
    if (d->contact) std::cout << "  contact: " << *d->contact << "\n";
    std::cout << "default API root: " << d->default_root.value_or("(none)") << "\nAPI roots:"
              << (d->api_roots.empty() ? " (none)\n" : "\n");
  }
  for (const auto& r : d->api_roots) {
    auto abs = http::resolve_url(url, r);
    auto info = abs.ok() ? ctx->client->api_root(*abs) : Result<client21::ApiRoot>(abs.error());
    if (ctx->json) {
      w.begin_object().field("url", r).field("ok", info.ok());
      if (info.ok()) json_api_root(w, *info);
      else write_error21(w, info.error());
      w.end_object();
    } else if (info.ok()) {
      std::cout << "  " << r << "  " << info->title << " (max_content_length " << info->max_content_length << ")\n";
    } else {
      std::cout << "  " << r << "  (" << info.error().message() << ")\n";
    }
  }
  if (ctx->json) w.end_array().end_object().finish();
  return kExitOk;
}

int run_collections21(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii2 collections --url API_ROOT [common options]\n\n"
      "Shows an API root's information (TAXII 2.1 §4.2) and lists its collections (§5.1):\n"
      "id, title, alias, can_read/can_write for you, media types.\n\n";
  Args args;
  if (auto rc = parse21("collections", argv, with_options21({}), usage, args)) return *rc;
  int rc = kExitOk;
  auto ctx = open21("collections", args, rc);
  if (!ctx) return rc;
  const auto& root = ctx->root;
  auto info = ctx->client->api_root(root);
  if (!info.ok()) return report21(*ctx, info.error());
  auto cols = ctx->client->collections(root);
  if (!cols.ok()) return report21(*ctx, cols.error());
  if (ctx->json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", "collections").field("ok", true).field("api_root", root.str());
    w.key("info").begin_object();
    json_api_root(w, *info);
    w.end_object().key("collections").begin_array();
    for (const auto& c : *cols) {
      w.begin_object().field("id", c.id).field("title", c.title).field("description", c.description);
      w.field("alias", c.alias).field("can_read", c.can_read).field("can_write", c.can_write);
      json_strings(w, "media_types", c.media_types);
      w.end_object();
    }
    w.end_array().end_object().finish();
    return kExitOk;
  }
  std::cout << "API root " << root.str() << ": " << info->title << " (max_content_length "
            << info->max_content_length << ")\n";
  if (cols->empty()) std::cout << "(no collections)\n";
  for (const auto& c : *cols) {
    const char* access = c.can_read && c.can_write ? "read, write" : c.can_read ? "read" : c.can_write ? "write" : "no access";
    std::cout << c.id << "  " << c.title << "  (" << access << ")";
    if (c.alias) std::cout << "  alias " << *c.alias;
    std::cout << "\n";
    if (c.description) std::cout << "  " << *c.description << "\n";
    if (!c.media_types.empty()) {
      std::cout << "  media types:";
      for (const auto& m : c.media_types) std::cout << " " << m;
      std::cout << "\n";
    }
  }
  return kExitOk;
}

}  // namespace taxii::cli
