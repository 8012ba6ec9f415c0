#include "bindings/http/connection.hpp"

#include <utility>

namespace taxii::http::engine {

bool AddressCounts::take(const std::string& ip, std::size_t cap) {
  MutexLock lock(mu_);
  std::size_t& n = counts_[ip];
  if (cap != 0 && n >= cap) {
    if (n == 0) counts_.erase(ip);
    return false;
  }
  ++n;
  return true;
}

void AddressCounts::give(const std::string& ip) {
  MutexLock lock(mu_);
  auto it = counts_.find(ip);
  if (it != counts_.end() && --it->second == 0) counts_.erase(it);
}

Conn::Conn(const Poco::Net::StreamSocket& s, Poco::Net::HTTPServerParams::Ptr params, ConnectionInfo i,
           std::atomic<std::size_t>& open, bool is_tls, AddressCounts& counts, std::string address)
    : socket(s),
      session(socket, params, meter),
      info(std::move(i)),
      fd(socket.impl()->sockfd()),
      tls(is_tls),
      ip(std::move(address)),
      open_(open),
      counts_(counts) {
  open_.fetch_add(1);
}

Conn::~Conn() {
  pending.reset();  // before the session it refers to
  open_.fetch_sub(1);
  counts_.give(ip);
}

}  // namespace taxii::http::engine
