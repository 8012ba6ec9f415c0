#include "server/dispatcher_app.hpp"

#include <utility>

namespace taxii::server {

services::RequestContext DispatcherApp::context(const http::RequestInfo& info) const {
  services::RequestContext ctx;
  ctx.protocol_binding = info.protocol_binding;
  ctx.request_id = info.request_id;
  ctx.identity = info.client_subject;
  if (auth_ != nullptr) {
    ctx.who = info.who;
    ctx.auth_error = info.auth_error;
    ctx.identity = ctx.who.user;
  }
  return ctx;
}

std::optional<Error> DispatcherApp::admit(std::string_view path, http::RequestInfo& info) {
  if (auth_ == nullptr) return std::nullopt;
  auth::AuthResult r =
      auth_->authenticate({info.authorization, info.https, info.client_subject, info.remote, info.client_names});
  info.who = std::move(r.identity);
  info.auth_error = std::move(r.error);
  return d_.admit(path, context(info));
}

Message DispatcherApp::handle(std::string_view path, const Message& request, const http::RequestInfo& info) {
  return d_.dispatch(path, request, context(info));
}

}  // namespace taxii::server
