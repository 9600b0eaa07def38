#include "services/gateway/client_address.h"

#include <algorithm>
#include <array>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace onewindow::gateway {
namespace {

namespace ip = boost::asio::ip;

// An IPv4 client reaching a dual-stack socket shows as ::ffff:a.b.c.d.
std::optional<ip::address> ParseAddress(absl::string_view text) {
  boost::system::error_code ec;
  ip::address address = ip::make_address(std::string(absl::StripAsciiWhitespace(text)), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

// The address's bytes, most significant first.
std::array<unsigned char, 16> BytesOf(const ip::address& address, size_t* size) {
  std::array<unsigned char, 16> out{};
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
    *size = b.size();
  } else {
    out = address.to_v6().to_bytes();
    *size = out.size();
  }
  return out;
}

bool SamePrefix(const ip::address& a, const ip::address& b, int bits) {
  if (a.is_v4() != b.is_v4()) return false;
  size_t size = 0;
  const auto x = BytesOf(a, &size);
  const auto y = BytesOf(b, &size);
  for (int i = 0; i < bits; ++i) {
    const int byte = i / 8;
    const int mask = 0x80 >> (i % 8);
    if ((x[byte] & mask) != (y[byte] & mask)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ClientAddresses> ClientAddresses::Parse(
    const std::vector<std::string>& trusted_proxies) {
  ClientAddresses out;
  for (const std::string& entry : trusted_proxies) {
    if (absl::StripAsciiWhitespace(entry).empty()) continue;
    const std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(absl::StripAsciiWhitespace(entry), absl::MaxSplits('/', 1));
    const std::optional<ip::address> network = ParseAddress(parts.first);
    if (!network.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted_proxies: ", entry, " is not an address or CIDR range"));
    }
    const int max_bits = network->is_v4() ? 32 : 128;
    int bits = max_bits;
    if (!parts.second.empty() &&
        (!absl::SimpleAtoi(parts.second, &bits) || bits < 0 || bits > max_bits)) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted_proxies: ", entry, " has a prefix length outside 0-", max_bits));
    }
    out.trusted_.push_back({*network, bits});
  }
  return out;
}

bool ClientAddresses::Trusted(const ip::address& address) const {
  for (const Range& range : trusted_) {
    if (SamePrefix(address, range.network, range.prefix_bits)) return true;
  }
  return false;
}

std::string ClientAddresses::ClientOf(absl::string_view peer,
                                      absl::string_view forwarded_for) const {
  std::optional<ip::address> hop = ParseAddress(peer);
  if (!hop.has_value()) return std::string(peer);
  if (trusted_.empty() || !Trusted(*hop)) return hop->to_string();
  const std::vector<absl::string_view> listed = absl::StrSplit(forwarded_for, ',');
  for (auto it = listed.rbegin(); it != listed.rend(); ++it) {
    std::optional<ip::address> address = ParseAddress(*it);
    // Garbage where a proxy we trust should have written: believe no more.
    if (!address.has_value()) break;
    hop = *address;
    if (!Trusted(*hop)) break;
  }
  return hop->to_string();
}

std::string ClientAddresses::LimitKey(absl::string_view client) {
  const std::optional<ip::address> address = ParseAddress(client);
  if (!address.has_value() || address->is_v4()) return std::string(client);
  ip::address_v6::bytes_type bytes = address->to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return absl::StrCat(ip::make_address_v6(bytes).to_string(), "/64");
}

}  // namespace onewindow::gateway
