// Webhook endpoint URLs and the addresses a delivery may connect to (issue 13, item 3): the rules
// for the service that will validate an endpoint at creation and for the sender that will check
// the address it resolved before connecting to exactly that address (neither is written yet).
// Plain C++20 over inet_pton.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::shared {

inline constexpr std::size_t kMaxWebhookUrlLength = 2048;

// What an address is, for the "no private addresses" rule. Everything but kPublic is refused
// unless the endpoint allows private addresses; kMetadata (cloud instance metadata,
// 169.254.169.254 and fd00:ec2::254) is refused always.
enum class AddressClass {
  kPublic,
  kLoopback,     // 127/8, ::1
  kPrivate,      // 10/8, 172.16/12, 192.168/16, fc00::/7 (ULA), fec0::/10 (old site-local)
  kLinkLocal,    // 169.254/16, fe80::/10
  kMetadata,     // 169.254.169.254, fd00:ec2::254
  kUnspecified,  // 0/8, ::
  kMulticast,    // 224/4, ff00::/8
  kCgnat,        // 100.64/10 (RFC 6598 shared address space)
  kReserved,     // 240/4 and broadcast, documentation, benchmarking, IETF protocol ranges
};

// A short lowercase name ("loopback", "link-local", ...) for error messages.
std::string_view AddressClassName(AddressClass c);

using Ipv4Bytes = std::array<std::uint8_t, 4>;
using Ipv6Bytes = std::array<std::uint8_t, 16>;

AddressClass ClassifyIpv4(const Ipv4Bytes& a);
// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
// (2002:AABB:CCDD::/48) forms are classified by the IPv4 address they carry.
AddressClass ClassifyIpv6(const Ipv6Bytes& a);
// A textual address (dotted IPv4 or IPv6, no brackets); nullopt when it is not an IP literal.
std::optional<AddressClass> ClassifyAddressText(std::string_view text);

// Whether a delivery may connect to an address of class `c`.
bool AddressAllowed(AddressClass c, bool allow_private);

struct WebhookUrl {
  bool https = true;
  std::string host;  // lowercase; an IPv6 literal without its brackets
  std::uint16_t port = 443;
  std::string target;  // path and query, "/" at least
  bool host_is_ip = false;
};

// Checks an endpoint URL: at most kMaxWebhookUrlLength bytes, printable ASCII without spaces,
// https:// (or http:// only when `allow_private`: plain http goes only to a network one runs),
// a host (name or IP literal; no credentials), an optional port 1..65535, no fragment. An IP
// literal host must pass AddressAllowed. Error{kInvalidInput, "invalid_url"} with the reason.
Result<WebhookUrl> ParseWebhookUrl(std::string_view url, bool allow_private);

}  // namespace edgechat::shared
