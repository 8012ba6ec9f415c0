// AccessPolicy: per-collection read and write permissions (docs/security.md, "Authorization").
//
// A permission list holds principals: "alice" (a user), "@analysts" (a group), "*" (any
// authenticated user) and "anonymous" (requests without credentials; anonymous does not
// include authenticated users, list both "*" and "anonymous" to open a collection fully).
// A collection without `permissions:` in the configuration gets the policy's default,
// read: ["*"], write: ["*"]: every authenticated user, nobody anonymous.
//
// read  = Poll_Request, Poll_Fulfillment, Subscription_Management_Request on the collection,
//         and seeing it in Collection_Information_Response / Feed_Information_Response;
// write = Inbox_Message delivering to it (destinations, or the inbox's default collections).
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.hpp"
#include "core/model_common.hpp"

namespace taxii::auth {

struct Permissions {
  std::vector<std::string> read{"*"};
  std::vector<std::string> write{"*"};
};

class AccessPolicy {
 public:
  AccessPolicy(bool public_discovery, std::map<std::string, Permissions, std::less<>> collections,
               Permissions fallback = {})
      : public_discovery_(public_discovery), collections_(std::move(collections)), fallback_(std::move(fallback)) {}

  bool public_discovery() const { return public_discovery_; }
  bool can_read(const Identity& who, std::string_view collection) const;
  bool can_write(const Identity& who, std::string_view collection) const;
  // True if some collection is readable without credentials (then an anonymous
  // Collection_Information_Request is answered, listing just those).
  bool any_anonymous_read() const;
  // True if some collection is writable without credentials.
  bool any_anonymous_write() const;
  // True if some request to a service of this type could be allowed without credentials
  // (a necessary condition, decided from the request head before its body is read):
  // Discovery if public; Collection Management and Poll if some collection is anonymously
  // readable; Inbox if some collection is anonymously writable.
  bool anonymous_may_use(ServiceType service) const;

 private:
  const Permissions& of(std::string_view collection) const;

  bool public_discovery_;
  std::map<std::string, Permissions, std::less<>> collections_;
  Permissions fallback_;
};

// True if `who` is one of the principals in `list` (see above).
bool matches(const std::vector<std::string>& list, const Identity& who);

}  // namespace taxii::auth
