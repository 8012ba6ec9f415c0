// taxii2 add / status / delete: Add Objects (TAXII 2.1 §5.5) from files — an envelope, a STIX
// bundle or one STIX object, cut into envelopes of --batch objects within the API root's
// max_content_length (§4.2.1) — waiting for each status to be complete (§4.3); Get Status
// (§4.3); Delete an Object (§5.7).
#include <iostream>

#include "client/cli/command21.hpp"
#include "client/cli/common21.hpp"
#include "client/errors.hpp"
#include "client/taxii21/envelopes.hpp"

namespace taxii::cli {
namespace {

void json_details(JsonWriter& w, std::string_view key, const std::vector<client21::StatusDetails>& v) {
  w.key(key).begin_array();
  for (const auto& d : v) w.begin_object().field("id", d.id).field("version", d.version).field("message", d.message).end_object();
  w.end_array();
}

void json_status(JsonWriter& w, const client21::StatusResource& s) {
  w.begin_object().field("id", s.id).field("status", s.status).field("request_timestamp", s.request_timestamp);
  w.field("total_count", s.total_count).field("success_count", s.success_count);
  w.field("failure_count", s.failure_count).field("pending_count", s.pending_count);
  json_details(w, "successes", s.successes);
  json_details(w, "failures", s.failures);
  json_details(w, "pendings", s.pendings);
  w.end_object();
}

void print_status(const client21::StatusResource& s, const std::string& prefix) {
  std::cout << prefix << "status " << s.id << ": " << s.status << ", " << s.total_count << " objects: " << s.success_count
            << " succeeded, " << s.failure_count << " failed, " << s.pending_count << " pending\n";
  for (const auto& d : s.failures)
    std::cout << "  failed: " << d.id << " " << d.version << (d.message ? ": " + *d.message : "") << "\n";
}

// Exit code of a finished add or status: refused objects 4, still pending 6 (when waiting).
int outcome(uint64_t failures, uint64_t pending, bool waited) {
  if (failures > 0) return kExitTaxiiStatus;
  return pending > 0 && waited ? kExitPending : kExitOk;
}

std::optional<std::chrono::milliseconds> wait_timeout(const std::string& command, const Args& args, int& rc) {
  const std::string t = args.get("wait-timeout").value_or("60");
  if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) {
    rc = usage_error(command, "--wait-timeout needs a number of seconds");
    return std::nullopt;
  }
  return std::chrono::milliseconds(std::stoll(t) * 1000);
}

struct AddRun {
  Context21& ctx;
  client21::Url root;
  std::string collection;
  bool wait = true;
  std::chrono::milliseconds timeout{60'000};
  std::vector<client21::StatusResource> statuses;
  std::optional<Error> failed;  // a network or server error that stopped the run
};

Status post_envelope(AddRun& run, std::string envelope, Progress& progress, uint64_t objects) {
  const uint64_t bytes = envelope.size();
  auto s = run.ctx.client->add(run.root, run.collection, std::move(envelope));
  if (s.ok() && run.wait && !s->complete()) s = run.ctx.client->wait(run.root, std::move(*s), run.timeout);
  if (!s.ok()) {
    run.failed = s.error();
    return s.error();
  }
  progress.add(objects, bytes);
  if (!run.ctx.json) print_status(*s, "envelope " + std::to_string(run.statuses.size() + 1) + ": ");
  run.statuses.push_back(std::move(*s));
  return ok_status();
}

int finish_add(AddRun& run) {
  uint64_t total = 0, ok = 0, failures = 0, pending = 0;
  for (const auto& s : run.statuses) {
    total += s.total_count;
    ok += s.success_count;
    failures += s.failure_count;
    pending += s.pending_count;
  }
  const int code = run.failed ? exit_code21(*run.failed) : outcome(failures, pending, run.wait);
  if (run.failed) std::cerr << "taxii2 add: " << run.failed->message() << "\n";
  if (run.ctx.json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", "add").field("ok", code == kExitOk).field("collection", run.collection);
    w.key("envelopes").begin_array();
    for (const auto& s : run.statuses) json_status(w, s);
    w.end_array().field("total_count", total).field("success_count", ok).field("failure_count", failures);
    w.field("pending_count", pending);
    if (run.failed) write_error21(w, *run.failed);
    w.end_object().finish();
  } else if (!run.failed) {
    std::cout << "added " << total << " objects in " << run.statuses.size() << " envelopes: " << ok << " succeeded, "
              << failures << " failed, " << pending << " pending\n";
  }
  return code;
}

}  // namespace

int run_add21(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii2 add --url API_ROOT --collection ID [options] FILE...\n\n"
      "Adds the objects of each FILE ('-' = stdin) to a collection (TAXII 2.1 §5.5). A FILE is an\n"
      "envelope, a STIX bundle or one STIX object; the objects are sent in envelopes of at most\n"
      "--batch objects and at most the API root's max_content_length bytes, and each status is\n"
      "waited for until complete.\n\n";
  const auto specs = with_options21({{"collection", 0, "ID", "the collection's id (or alias)"},
                                     {"batch", 0, "N", "objects per envelope (default 100)"},
                                     {"no-wait", 0, "", "do not wait for the statuses to be complete"},
                                     {"wait-timeout", 0, "SECONDS", "how long to wait for each status (default 60)"}});
  Args args;
  if (auto rc = parse21("add", argv, specs, usage, args, true)) return *rc;
  int rc = kExitOk;
  auto col = required21("add", args, "collection", rc);
  if (!col) return rc;
  if (args.positional().empty()) return usage_error("add", "give the files to add (or '-' for stdin)");
  const std::string b = args.get("batch").value_or("100");
  if (b.empty() || b.size() > 9 || b.find_first_not_of("0123456789") != std::string::npos || std::stoul(b) == 0)
    return usage_error("add", "--batch needs a positive number");
  auto timeout = wait_timeout("add", args, rc);
  if (!timeout) return rc;
  auto ctx = open21("add", args, rc);
  if (!ctx) return rc;
  const auto& root = ctx->root;
  auto info = ctx->client->api_root(root);  // max_content_length (§4.2.1)
  if (!info.ok()) return report21(*ctx, info.error());
  AddRun run{*ctx, root, *col, !args.has("no-wait"), *timeout, {}, std::nullopt};
  Progress progress("add", !ctx->json && ctx->verbose == 0, "objects");
  for (const auto& path : args.positional()) {
    std::string input;
    if (!read_file(path, input)) {
      std::cerr << "taxii2 add: cannot read '" << path << "'\n";
      return kExitIo;
    }
    // A dry run first: nothing of a file that cannot be sent whole is sent.
    auto n = client21::split_envelopes(input, std::stoul(b), info->max_content_length,
                                       [](std::string, uint64_t) { return ok_status(); });
    if (n.ok())
      n = client21::split_envelopes(input, std::stoul(b), info->max_content_length, [&](std::string env, uint64_t count) {
        return post_envelope(run, std::move(env), progress, count);
      });
    if (!n.ok() && !run.failed) {
      progress.finish();
      std::cerr << "taxii2 add: " << path << ": " << n.error().message() << "\n";
      return kExitIo;
    }
    if (run.failed) break;
  }
  progress.finish();
  return finish_add(run);
}

int run_status21(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii2 status --url API_ROOT --id STATUS_ID [--wait] [common options]\n\n"
      "Shows the status of an earlier add (TAXII 2.1 §4.3); --wait polls it until complete.\n\n";
  const auto specs = with_options21({{"id", 0, "STATUS_ID", "the status id an add answered"},
                                     {"wait", 0, "", "poll until the status is complete"},
                                     {"wait-timeout", 0, "SECONDS", "how long to wait (default 60)"}});
  Args args;
  if (auto rc = parse21("status", argv, specs, usage, args)) return *rc;
  int rc = kExitOk;
  auto id = required21("status", args, "id", rc);
  if (!id) return rc;
  auto timeout = wait_timeout("status", args, rc);
  if (!timeout) return rc;
  auto ctx = open21("status", args, rc);
  if (!ctx) return rc;
  const auto& root = ctx->root;
  auto s = ctx->client->status(root, *id);
  if (s.ok() && args.has("wait")) s = ctx->client->wait(root, std::move(*s), *timeout);
  if (!s.ok()) return report21(*ctx, s.error());
  const int code = outcome(s->failure_count, s->pending_count, args.has("wait"));
  if (ctx->json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", "status").field("ok", code == kExitOk).key("status");
    json_status(w, *s);
    w.end_object().finish();
  } else {
    print_status(*s, "");
  }
  return code;
}

int run_delete21(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii2 delete --url API_ROOT --collection ID --id OBJECT_ID [--version V] [options]\n\n"
      "Deletes an object from a collection (TAXII 2.1 §5.7): all its versions, or those that\n"
      "--version and --spec-version select.\n\n";
  auto own = filter_specs21({"version", "spec-version"});
  own.insert(own.begin(), {{"collection", 0, "ID", "the collection's id (or alias)"}, {"id", 0, "OBJECT_ID", "the object's STIX id"}});
  Args args;
  if (auto rc = parse21("delete", argv, with_options21(own), usage, args)) return *rc;
  int rc = kExitOk;
  client21::Filter f;
  if (auto u = filter21("delete", args, {"version", "spec-version"}, f)) return *u;
  auto col = required21("delete", args, "collection", rc);
  auto id = col ? required21("delete", args, "id", rc) : std::nullopt;
  if (!id) return rc;
  auto ctx = open21("delete", args, rc);
  if (!ctx) return rc;
  const auto& root = ctx->root;
  if (auto st = ctx->client->remove(root, *col, *id, f); !st.ok()) return report21(*ctx, st.error());
  if (ctx->json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", "delete").field("ok", true).field("collection", *col).field("id", *id);
    w.end_object().finish();
  } else {
    std::cout << "deleted " << *id << " from collection " << *col << "\n";
  }
  return kExitOk;
}

}  // namespace taxii::cli
