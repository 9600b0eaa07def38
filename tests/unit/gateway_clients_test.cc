// Who a request comes from: the TCP peer, or behind a trusted proxy the
// address it forwards; and what rate limits count under.
#include <catch2/catch.hpp>

#include "services/gateway/client_address.h"

namespace onewindow::gateway {
namespace {

ClientAddresses Trusting(std::vector<std::string> proxies) {
  auto parsed = ClientAddresses::Parse(proxies);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  return *std::move(parsed);
}

TEST_CASE("without trusted proxies the peer is the client, whatever it forwards") {
  const ClientAddresses clients = Trusting({});
  CHECK(clients.ClientOf("203.0.113.7", "198.51.100.1") == "203.0.113.7");
  CHECK(clients.ClientOf("::ffff:203.0.113.7", "") == "203.0.113.7");
}

TEST_CASE("behind a trusted proxy the client is the rightmost address it did not add itself") {
  const ClientAddresses clients = Trusting({"10.0.0.0/8", "fd00::/8"});
  // The ingress appended the address it saw.
  CHECK(clients.ClientOf("10.1.2.3", "203.0.113.7") == "203.0.113.7");
  // Whatever the client wrote before it is not believed.
  CHECK(clients.ClientOf("10.1.2.3", "1.1.1.1, 203.0.113.7") == "203.0.113.7");
  // A chain of trusted proxies is walked through.
  CHECK(clients.ClientOf("10.1.2.3", "203.0.113.7, 10.9.9.9") == "203.0.113.7");
  CHECK(clients.ClientOf("fd00::1", "2001:db8::5") == "2001:db8::5");
  // Nothing forwarded, or garbage where the proxy writes: the proxy.
  CHECK(clients.ClientOf("10.1.2.3", "") == "10.1.2.3");
  CHECK(clients.ClientOf("10.1.2.3", "203.0.113.7, not-an-address") == "10.1.2.3");
}

TEST_CASE("a peer outside the trusted ranges cannot name another client") {
  const ClientAddresses clients = Trusting({"10.0.0.0/8"});
  CHECK(clients.ClientOf("11.0.0.1", "203.0.113.7") == "11.0.0.1");
  CHECK(clients.ClientOf("203.0.113.9", "10.1.2.3") == "203.0.113.9");
}

TEST_CASE("a trusted proxy entry that is not an address or range is refused by name") {
  for (const std::string bad : {"10.0.0.0/33", "fd00::/129", "proxy.local", "10.0.0.0/x"}) {
    INFO(bad);
    auto parsed = ClientAddresses::Parse({bad});
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find(bad) != std::string::npos);
  }
  CHECK(ClientAddresses::Parse({"192.0.2.1", " 2001:db8::/32 "}).ok());
}

TEST_CASE("limits count an IPv4 client by address and an IPv6 client by its /64") {
  CHECK(ClientAddresses::LimitKey("203.0.113.7") == "203.0.113.7");
  CHECK(ClientAddresses::LimitKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(ClientAddresses::LimitKey("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64");
}

}  // namespace
}  // namespace onewindow::gateway
