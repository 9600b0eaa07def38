#pragma once

#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::gateway {

// Who a request comes from, for rate limits and the login lockout.
//
// Behind an ingress or load balancer every TCP peer is the proxy, so limits
// keyed on the peer would be shared by every client (and one client's
// failed logins would lock out all). Proxies named as trusted are believed
// about X-Forwarded-For; nobody else is, so the header cannot be forged to
// dodge a limit.
class ClientAddresses {
 public:
  // `trusted_proxies`: CIDR ranges ("10.0.0.0/8", "fd00::/8") or single
  // addresses. INVALID_ARGUMENT names an entry that is neither.
  static absl::StatusOr<ClientAddresses> Parse(const std::vector<std::string>& trusted_proxies);

  // The client of a request that came from `peer` with `forwarded_for` (the
  // X-Forwarded-For header, possibly empty): `peer` unless it is a trusted
  // proxy; then the rightmost address of the header that is not one (the
  // ones left of it were written by whoever sent the request, and may be
  // anything). A header that does not parse leaves the proxy's address.
  std::string ClientOf(absl::string_view peer, absl::string_view forwarded_for) const;

  // What limits count under for `client`: the address for IPv4, its /64 for
  // IPv6, the block one subscriber usually holds whole.
  static std::string LimitKey(absl::string_view client);

 private:
  struct Range {
    boost::asio::ip::address network;
    int prefix_bits = 0;
  };
  bool Trusted(const boost::asio::ip::address& address) const;

  std::vector<Range> trusted_;
};

}  // namespace onewindow::gateway
