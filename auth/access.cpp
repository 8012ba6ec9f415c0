#include "auth/access.hpp"

#include <algorithm>

namespace taxii::auth {

bool matches(const std::vector<std::string>& list, const Identity& who) {
  for (const std::string& p : list) {
    if (p == "anonymous") {
      if (who.anonymous()) return true;
    } else if (who.anonymous()) {
      continue;
    } else if (p == "*" || p == who.user) {
      return true;
    } else if (p.size() > 1 && p[0] == '@' &&
               std::find(who.groups.begin(), who.groups.end(), std::string_view(p).substr(1)) != who.groups.end()) {
      return true;
    }
  }
  return false;
}

const Permissions& AccessPolicy::of(std::string_view collection) const {
  const auto it = collections_.find(collection);
  return it == collections_.end() ? fallback_ : it->second;
}

bool AccessPolicy::can_read(const Identity& who, std::string_view collection) const {
  return matches(of(collection).read, who);
}

bool AccessPolicy::can_write(const Identity& who, std::string_view collection) const {
  return matches(of(collection).write, who);
}

bool AccessPolicy::any_anonymous_read() const {
  const Identity anon;
  if (matches(fallback_.read, anon)) return true;
  return std::any_of(collections_.begin(), collections_.end(),
                     [&](const auto& kv) { return matches(kv.second.read, anon); });
}

bool AccessPolicy::any_anonymous_write() const {
  const Identity anon;
  if (matches(fallback_.write, anon)) return true;
  return std::any_of(collections_.begin(), collections_.end(),
                     [&](const auto& kv) { return matches(kv.second.write, anon); });
}

bool AccessPolicy::anonymous_may_use(ServiceType service) const {
  switch (service) {
    case ServiceType::Discovery: return public_discovery_;
    case ServiceType::CollectionManagement:
    case ServiceType::Poll: return any_anonymous_read();
    case ServiceType::Inbox: return any_anonymous_write();
  }
  return false;
}

}  // namespace taxii::auth
