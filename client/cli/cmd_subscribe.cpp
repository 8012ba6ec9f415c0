// taxii subscribe: manage subscriptions with a Collection Management service
// (Subscription_Management_Request, Services 1.1 §4.4.6; TAXII 1.0: feed subscriptions).
#include <iostream>
#include <optional>
#include <string>

#include "client/cli/command.hpp"
#include "client/cli/common.hpp"
#include "core/urn.hpp"

namespace taxii::cli {
namespace {

const char* kUsage =
    "usage: taxii subscribe --collection NAME [--action ACTION] [--id ID] [--inbox URL]\n"
    "                       [--count-only] [--binding ID[>SUB,..]]... [--query FILE] [common options]\n\n"
    "Subscribes to a collection, or unsubscribes, pauses, resumes or shows subscriptions.\n"
    "ACTION is subscribe (default), unsubscribe, pause, resume or status (pause and resume need\n"
    "TAXII 1.1). --id names the subscription (required for unsubscribe, pause, resume; status\n"
    "without it lists all of yours). With --inbox the server pushes new content to that Inbox\n"
    "URL (protocol from its scheme, message binding of --taxii); without it you poll with\n"
    "'taxii poll --subscription ID'.\n\n";

// The request from the options; the exit code of a usage problem, nullopt when it is fine.
std::optional<int> subscription_spec(const Args& args, client::SubscriptionSpec& spec) {
  const auto collection = args.get("collection");
  if (!collection || collection->empty()) return usage_error("subscribe", "--collection is required");
  spec.collection = *collection;
  const std::string action = args.get("action").value_or("subscribe");
  if (action == "subscribe") spec.action = v11::SubscriptionAction::Subscribe;
  else if (action == "unsubscribe") spec.action = v11::SubscriptionAction::Unsubscribe;
  else if (action == "pause") spec.action = v11::SubscriptionAction::Pause;
  else if (action == "resume") spec.action = v11::SubscriptionAction::Resume;
  else if (action == "status") spec.action = v11::SubscriptionAction::Status;
  else return usage_error("subscribe", "--action must be subscribe, unsubscribe, pause, resume or status");
  spec.subscription_id = args.get("id");
  const bool subscribe = spec.action == v11::SubscriptionAction::Subscribe;
  const bool needs_id = spec.action != v11::SubscriptionAction::Subscribe && spec.action != v11::SubscriptionAction::Status;
  if (needs_id && !spec.subscription_id) return usage_error("subscribe", "--action " + action + " needs --id");
  if (subscribe && spec.subscription_id) return usage_error("subscribe", "--id is assigned by the server on subscribe");
  if (!subscribe)
    for (const char* o : {"inbox", "count-only", "binding", "subtype", "query"})
      if (args.has(o)) return usage_error("subscribe", std::string("--") + o + " only goes with --action subscribe");
  const bool v10 = args.get("taxii") == std::string("1.0");
  if (v10) {
    if (spec.action == v11::SubscriptionAction::Pause || spec.action == v11::SubscriptionAction::Resume)
      return usage_error("subscribe", "--action " + action + " needs TAXII 1.1");
    for (const char* o : {"count-only", "query", "subtype"})
      if (args.has(o)) return usage_error("subscribe", std::string("--") + o + " needs TAXII 1.1");
    if (args.has("binding") && !args.has("inbox"))
      return usage_error("subscribe", "TAXII 1.0 carries --binding only with push delivery (--inbox)");
  }
  std::string err;
  auto bindings = content_bindings(args, err);
  if (!bindings) return usage_error("subscribe", err);
  spec.content_bindings = std::move(*bindings);
  spec.response_type = args.has("count-only") ? v11::ResponseType::CountOnly : v11::ResponseType::Full;
  if (auto inbox = args.get("inbox")) {
    auto url = client::parse_url(*inbox);
    if (!url.ok()) return usage_error("subscribe", "--inbox: " + url.error().message());
    spec.push = v11::PushParameters{std::string(url->https() ? urn::kProtocolHttps : urn::kProtocolHttp), url->str(),
                                    std::string(client::message_binding_of(v10 ? Version::V10 : Version::V11))};
  }
  if (auto q = args.get("query")) {
    if (int rc = read_query("subscribe", *q, spec.query); rc != 0) return rc;
  }
  return std::nullopt;
}

void print_json(const client::SubscriptionSpec& spec, const v11::ManageCollectionSubscriptionResponse& r) {
  JsonWriter w(std::cout);
  w.begin_object().field("command", "subscribe").field("ok", true).field("action", v11::to_string(spec.action));
  w.field("collection", r.collection_name).field("message", r.message).key("subscriptions").begin_array();
  for (const auto& s : r.subscriptions) {
    w.begin_object().field("id", s.subscription_id).field("status", v11::to_string(s.status));
    if (s.subscription_parameters) {
      w.field("response_type", v11::to_string(s.subscription_parameters->response_type));
      w.key("content_bindings").begin_array();
      for (const auto& cb : s.subscription_parameters->content_bindings)
        w.begin_object().field("id", cb.binding_id).string_array("subtypes", cb.subtypes).end_object();
      w.end_array();
      w.field("has_query", s.subscription_parameters->query.has_value());
    }
    w.key("push");
    if (s.push_parameters)
      w.begin_object().field("protocol", s.push_parameters->protocol_binding).field("address", s.push_parameters->address)
          .field("message_binding", s.push_parameters->message_binding).end_object();
    else
      w.null();
    w.key("poll_instances").begin_array();
    for (const auto& p : s.poll_instances)
      w.begin_object().field("protocol", p.protocol_binding).field("address", p.address)
          .string_array("message_bindings", p.message_bindings).end_object();
    w.end_array().end_object();
  }
  w.end_array().end_object().finish();
}

void print_text(const v11::ManageCollectionSubscriptionResponse& r) {
  if (r.message) std::cout << *r.message << "\n";
  if (r.subscriptions.empty()) std::cout << "no subscriptions to '" << r.collection_name << "'\n";
  for (const auto& s : r.subscriptions) {
    std::cout << "subscription " << s.subscription_id << " " << v11::to_string(s.status) << " (collection "
              << r.collection_name << ")\n";
    if (s.subscription_parameters)
      std::cout << "  response type: " << v11::to_string(s.subscription_parameters->response_type) << "\n";
    if (s.push_parameters) std::cout << "  push to: " << s.push_parameters->address << "\n";
    for (const auto& p : s.poll_instances) std::cout << "  poll at: " << p.address << "\n";
  }
}

}  // namespace

int run_subscribe(const std::vector<std::string>& argv) {
  const auto specs = with_network_options({
      {"collection", 'c', "NAME", "collection (TAXII 1.0: feed) (required)"},
      {"action", 0, "ACTION", "subscribe (default), unsubscribe, pause, resume or status"},
      {"id", 0, "ID", "subscription ID"},
      {"inbox", 0, "URL", "push new content to this Inbox service (subscribe)"},
      {"count-only", 0, "", "deliver record counts only, not content (subscribe; TAXII 1.1)"},
      {"binding", 0, "ID[>SUB,..]", "content binding wanted (repeatable; subscribe)"},
      {"subtype", 0, "SUB", "a subtype of the preceding --binding (repeatable)"},
      {"query", 0, "FILE", "deliver only content matching this tdq:Default_Query file (TAXII 1.1)"},
  });
  Args args;
  if (auto done = parse_command("subscribe", argv, specs, kUsage, args)) return *done;
  client::SubscriptionSpec spec;
  if (auto code = subscription_spec(args, spec)) return *code;

  int rc = kExitOk;
  auto ctx = open_session("subscribe", args, ServiceType::CollectionManagement, rc);
  if (!ctx) return rc;
  auto r = ctx->session->manage_subscription(spec);
  if (!r.ok()) return report(*ctx, r.error());
  if (ctx->json) print_json(spec, *r);
  else print_text(*r);
  return kExitOk;
}

}  // namespace taxii::cli
