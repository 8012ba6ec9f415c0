// Identity: who sent a request, as authentication established it (docs/security.md).
// Plain value; thread-compatible.
#pragma once

#include <string>
#include <vector>

namespace taxii::auth {

enum class AuthMethod { None, Basic, ClientCertificate, Bearer };

struct Identity {
  std::string user;                 // empty: anonymous
  std::vector<std::string> groups;  // without the leading "@"
  AuthMethod method = AuthMethod::None;
  bool anonymous() const { return user.empty(); }
};

}  // namespace taxii::auth
