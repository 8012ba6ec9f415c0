#include "services/dispatcher.hpp"

#include <algorithm>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "bindings/xml/bridge.hpp"
#include "core/ids.hpp"
#include "core/status.hpp"

namespace taxii::services {

bool accepts(ServiceType service, const Message& request) {
  switch (service) {
    case ServiceType::Discovery:
      return std::holds_alternative<v11::DiscoveryRequest>(request);
    case ServiceType::CollectionManagement:
      return std::holds_alternative<v11::CollectionInformationRequest>(request) ||
             std::holds_alternative<v11::ManageCollectionSubscriptionRequest>(request);
    case ServiceType::Inbox:
      return std::holds_alternative<v11::InboxMessage>(request);
    case ServiceType::Poll:
      return std::holds_alternative<v11::PollRequest>(request) ||
             std::holds_alternative<v11::PollFulfillment>(request);
  }
  return false;
}

std::string service_title(ServiceType t) {
  switch (t) {
    case ServiceType::Discovery: return "the Discovery service";
    case ServiceType::CollectionManagement: return "the Collection Management service";
    case ServiceType::Inbox: return "the Inbox service";
    case ServiceType::Poll: return "the Poll service";
  }
  return "this service";
}

void Dispatcher::add(std::string path, std::shared_ptr<Service> service) {
  routes_.emplace(std::move(path), std::move(service));
}

bool Dispatcher::has_path(std::string_view path) const { return routes_.find(path) != routes_.end(); }

void Dispatcher::set_access(std::shared_ptr<const auth::AccessPolicy> policy,
                            std::map<std::string, std::vector<std::string>, std::less<>> inbox_defaults) {
  access_ = std::move(policy);
  inbox_defaults_ = std::move(inbox_defaults);
}

std::optional<Error> Dispatcher::check_access(std::string_view path, const Service& service, const Message& request,
                                              const RequestContext& ctx) const {
  const auth::AccessPolicy& policy = *access_;
  const bool anon = ctx.who.anonymous();
  // Anonymous requesters are asked to authenticate; authenticated ones are refused.
  const auto refuse = [&](const std::string& what) -> std::optional<Error> {
    if (anon) return Error::unauthorized("authentication is required to " + what);
    return Error::denied(ctx.who.user + " may not " + what);
  };
  if (service.type() == ServiceType::Discovery) {
    if (anon && !policy.public_discovery()) return Error::unauthorized("authentication is required");
    return std::nullopt;
  }
  if (std::holds_alternative<v11::CollectionInformationRequest>(request)) {
    // Collections the requester may not read are left out of the answer (filter_visible).
    if (anon && !policy.any_anonymous_read()) return Error::unauthorized("authentication is required");
    return std::nullopt;
  }
  const std::string* read = nullptr;
  if (const auto* p = std::get_if<v11::PollRequest>(&request)) read = &p->collection_name;
  if (const auto* f = std::get_if<v11::PollFulfillment>(&request)) read = &f->collection_name;
  if (const auto* m = std::get_if<v11::ManageCollectionSubscriptionRequest>(&request)) read = &m->collection_name;
  if (read != nullptr) {
    if (!policy.can_read(ctx.who, *read)) return refuse("read collection " + *read);
    return std::nullopt;
  }
  if (const auto* inbox = std::get_if<v11::InboxMessage>(&request)) {
    const std::vector<std::string>* targets = &inbox->destination_collection_names;
    if (targets->empty()) {
      const auto it = inbox_defaults_.find(path);
      if (it != inbox_defaults_.end()) targets = &it->second;
    }
    if (targets->empty() && anon) return Error::unauthorized("authentication is required");
    for (const std::string& c : *targets)
      if (!policy.can_write(ctx.who, c)) return refuse("write to collection " + c);
    return std::nullopt;
  }
  return refuse("use " + service_title(service.type()));
}

std::optional<Error> Dispatcher::admit(std::string_view path, const RequestContext& ctx) const {
  if (!access_) return std::nullopt;
  // Services 1.1 §4.4.6 rule 1: authentication takes precedence over every other check.
  if (ctx.auth_error) return *ctx.auth_error;
  if (!ctx.who.anonymous()) return std::nullopt;
  const auto it = routes_.find(path);
  if (it == routes_.end() || !access_->anonymous_may_use(it->second->type()))
    return Error::unauthorized("authentication is required");
  return std::nullopt;
}

void Dispatcher::filter_visible(Message& answer, const RequestContext& ctx) const {
  auto* r = std::get_if<v11::CollectionInformationResponse>(&answer);
  if (r == nullptr) return;
  auto& cs = r->collections;
  cs.erase(std::remove_if(cs.begin(), cs.end(),
                          [&](const v11::CollectionInformation& c) { return !access_->can_read(ctx.who, c.collection_name); }),
           cs.end());
}

namespace {

// Stamps a response with a fresh message_id and in_response_to.
void address_response(Message& m, const std::string& in_response_to) {
  std::visit(
      [&](auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        msg.message_id = generate_message_id();
        if constexpr (std::is_base_of_v<ResponseBase, T>) msg.in_response_to = in_response_to;
      },
      m);
}

bool is_response(const Message& m) { return !in_response_to_of(m).empty() ||
                                             std::holds_alternative<v11::StatusMessage>(m) ||
                                             std::holds_alternative<v10::StatusMessage>(m); }

v11::StatusMessage status_v11(const Error& e) {
  v11::StatusMessage s;
  s.status_type = std::string(wire_name(e.type()));
  for (const auto& d : e.details()) s.details.push_back({d.name, Mixed::text(d.value)});
  if (!e.message().empty()) s.message = e.message();
  return s;
}

// The last resort when the bridge cannot express a status in 1.0.
v10::StatusMessage failure_v10(const std::string& text) {
  v10::StatusMessage s;
  s.status_type = "FAILURE";
  s.message = text;
  return s;
}

}  // namespace

Message Dispatcher::status_message(const Error& e, Version v, const std::string& in_response_to) const {
  return finish(Message(status_v11(e)), v, in_response_to.empty() ? "0" : in_response_to, {});
}

Message Dispatcher::finish(Result<Message> answer, Version v, const std::string& in_response_to,
                           const std::string& request_id) const {
  Message out = answer.ok() ? std::move(answer).value() : Message(status_v11(answer.error()));
  if (v == Version::V10 && version_of(out) == Version::V11) {
    auto bridged = xml::bridge_response_to_v10(out);
    if (bridged.ok()) {
      out = std::move(bridged).value();
    } else {
      if (log_error_)
        log_error_(request_id, "cannot express " + std::string(message_type_name(out)) +
                                   " in TAXII 1.0: " + bridged.error().message());
      out = failure_v10("the answer cannot be expressed in TAXII 1.0");
    }
  }
  address_response(out, in_response_to);
  return out;
}

Message Dispatcher::dispatch(std::string_view path, const Message& request,
                             const RequestContext& ctx) const {
  const Version v = version_of(request);
  const std::string in_response_to = message_id_of(request).empty() ? "0" : message_id_of(request);
  try {
    auto it = routes_.find(path);
    if (it == routes_.end())
      return finish(Error::not_found("no TAXII service at " + std::string(path), std::string(path)), v,
                    in_response_to, ctx.request_id);
    Service& service = *it->second;
    // Services 1.1 §4.4.6 rule 1: authentication takes precedence over every other check.
    if (access_ && ctx.auth_error) return finish(*ctx.auth_error, v, in_response_to, ctx.request_id);
    if (is_response(request))
      return finish(Error::bad_message(std::string(message_type_name(request)) +
                                       " is a response message; send a request to " +
                                       service_title(service.type())),
                    v, in_response_to, ctx.request_id);

    Message v11_request = request;
    if (v == Version::V10) {
      auto bridged = xml::bridge_request_to_v11(request);
      if (!bridged.ok()) return finish(bridged.error(), v, in_response_to, ctx.request_id);
      v11_request = std::move(bridged).value();
    }
    if (!accepts(service.type(), v11_request))
      return finish(Error::bad_message(std::string(message_type_name(request)) +
                                       " is not accepted by " + service_title(service.type())),
                    v, in_response_to, ctx.request_id);
    if (access_) {
      if (auto refused = check_access(path, service, v11_request, ctx))
        return finish(std::move(*refused), v, in_response_to, ctx.request_id);
    }
    RequestContext c = ctx;
    c.requested_version = v;
    Result<Message> answer = service.handle(v11_request, c);
    if (access_ && answer.ok()) filter_visible(*answer, ctx);
    return finish(std::move(answer), v, in_response_to, ctx.request_id);
  } catch (const std::exception& e) {
    if (log_error_) log_error_(ctx.request_id, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    if (log_error_) log_error_(ctx.request_id, "unexpected exception of unknown type");
  }
  try {
    return finish(Error::failure("internal error while processing the request"), v, in_response_to,
                  ctx.request_id);
  } catch (...) {
    // Only allocation can fail here; answer with the smallest message we can build.
    if (v == Version::V10) {
      v10::StatusMessage s = failure_v10("internal error");
      s.in_response_to = in_response_to;
      s.message_id = "1";
      return s;
    }
    v11::StatusMessage s;
    s.status_type = "FAILURE";
    s.in_response_to = in_response_to;
    s.message_id = "1";
    return s;
  }
}

}  // namespace taxii::services
