#include "shared/webhook_url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace edgechat::shared {

namespace {

bool InV4(const Ipv4Bytes& a, std::uint8_t b0, std::uint8_t b1, std::uint8_t b2, std::uint8_t b3,
          int prefix) {
  std::uint32_t addr = (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) |
                       (std::uint32_t{a[2]} << 8) | std::uint32_t{a[3]};
  std::uint32_t net = (std::uint32_t{b0} << 24) | (std::uint32_t{b1} << 16) |
                      (std::uint32_t{b2} << 8) | std::uint32_t{b3};
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (addr & mask) == (net & mask);
}

Error BadUrl(std::string message) {
  return Error{ErrorKind::kInvalidInput, "invalid_url", std::move(message)};
}

}  // namespace

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMetadata:
      return "cloud metadata";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kCgnat:
      return "shared (CGNAT)";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

AddressClass ClassifyIpv4(const Ipv4Bytes& a) {
  if (InV4(a, 169, 254, 169, 254, 32)) return AddressClass::kMetadata;
  if (InV4(a, 0, 0, 0, 0, 8)) return AddressClass::kUnspecified;
  if (InV4(a, 127, 0, 0, 0, 8)) return AddressClass::kLoopback;
  if (InV4(a, 10, 0, 0, 0, 8) || InV4(a, 172, 16, 0, 0, 12) || InV4(a, 192, 168, 0, 0, 16))
    return AddressClass::kPrivate;
  if (InV4(a, 169, 254, 0, 0, 16)) return AddressClass::kLinkLocal;
  if (InV4(a, 100, 64, 0, 0, 10)) return AddressClass::kCgnat;
  if (InV4(a, 224, 0, 0, 0, 4)) return AddressClass::kMulticast;
  if (InV4(a, 240, 0, 0, 0, 4) ||      // reserved, and 255.255.255.255
      InV4(a, 192, 0, 0, 0, 24) ||     // IETF protocol assignments
      InV4(a, 192, 0, 2, 0, 24) ||     // TEST-NET-1
      InV4(a, 198, 51, 100, 0, 24) ||  // TEST-NET-2
      InV4(a, 203, 0, 113, 0, 24) ||   // TEST-NET-3
      InV4(a, 198, 18, 0, 0, 15) ||    // benchmarking
      InV4(a, 192, 88, 99, 0, 24))     // 6to4 relay anycast
    return AddressClass::kReserved;
  return AddressClass::kPublic;
}

AddressClass ClassifyIpv6(const Ipv6Bytes& a) {
  auto zero_until = [&](std::size_t n) {
    return std::all_of(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n),
                       [](std::uint8_t b) { return b == 0; });
  };
  auto v4_at = [&](std::size_t i) { return Ipv4Bytes{a[i], a[i + 1], a[i + 2], a[i + 3]}; };
  if (zero_until(16)) return AddressClass::kUnspecified;
  if (zero_until(15) && a[15] == 1) return AddressClass::kLoopback;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): the IPv4 address decides.
  if (zero_until(10) && a[10] == 0xff && a[11] == 0xff) return ClassifyIpv4(v4_at(12));
  if (zero_until(12)) return ClassifyIpv4(v4_at(12));
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64) carry an IPv4 address in the low bits.
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) {
    bool well_known = std::all_of(a.begin() + 4, a.begin() + 12, [](auto b) { return b == 0; });
    if (well_known) return ClassifyIpv4(v4_at(12));
    return AddressClass::kPrivate;
  }
  if (a[0] == 0x20 && a[1] == 0x02) return ClassifyIpv4(v4_at(2));  // 6to4
  // fd00:ec2::254, the metadata service's IPv6 address.
  static constexpr Ipv6Bytes kMetadata6 = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                           0,    0,    0,    0,    0, 0, 0x02, 0x54};
  if (a == kMetadata6) return AddressClass::kMetadata;
  if ((a[0] & 0xfe) == 0xfc) return AddressClass::kPrivate;                    // fc00::/7
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;  // fe80::/10
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return AddressClass::kPrivate;    // fec0::/10
  if (a[0] == 0xff) return AddressClass::kMulticast;                           // ff00::/8
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
    return AddressClass::kReserved;  // 2001:db8::/32 documentation
  if (a[0] == 0x01 && a[1] == 0x00 &&
      std::all_of(a.begin() + 2, a.begin() + 8, [](auto b) { return b == 0; }))
    return AddressClass::kReserved;  // 100::/64 discard
  // 2001::/23 holds Teredo (2001::/32, which can reach anything) and other IETF assignments.
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

std::optional<AddressClass> ClassifyAddressText(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string s(text);
  Ipv4Bytes v4{};
  if (inet_pton(AF_INET, s.c_str(), v4.data()) == 1) return ClassifyIpv4(v4);
  Ipv6Bytes v6{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return ClassifyIpv6(v6);
  return std::nullopt;
}

bool AddressAllowed(AddressClass c, bool allow_private) {
  if (c == AddressClass::kPublic) return true;
  if (c == AddressClass::kMetadata) return false;
  return allow_private;
}

Result<WebhookUrl> ParseWebhookUrl(std::string_view url, bool allow_private) {
  if (url.empty()) return BadUrl("The URL is empty.");
  if (url.size() > kMaxWebhookUrlLength) {
    return BadUrl("The URL is longer than " + std::to_string(kMaxWebhookUrlLength) + " bytes.");
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return BadUrl(
          "The URL may hold only printable ASCII without spaces (percent-encode the rest).");
    }
  }
  WebhookUrl out;
  std::string_view rest;
  auto lower_starts = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    }
    return true;
  };
  if (lower_starts("https://")) {
    out.https = true;
    out.port = 443;
    rest = url.substr(8);
  } else if (lower_starts("http://")) {
    if (!allow_private) {
      return BadUrl(
          "Plain http:// is allowed only with \"allow private addresses\"; use https://.");
    }
    out.https = false;
    out.port = 80;
    rest = url.substr(7);
  } else {
    return BadUrl("The URL must start with https:// (or http:// with private addresses allowed).");
  }
  if (url.find('#') != std::string_view::npos) return BadUrl("The URL must not have a #fragment.");
  std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  out.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (out.target[0] == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl("The URL must not carry credentials (user:password@).");
  }
  if (authority.empty()) return BadUrl("The URL has no host.");
  std::string_view host;
  std::string_view port_text;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl("An IPv6 host must be in [brackets].");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl("Unexpected text after the IPv6 host.");
      port_text = after.substr(1);
    }
    if (!ClassifyAddressText(host) || host.find(':') == std::string_view::npos) {
      return BadUrl("The host in [brackets] is not an IPv6 address.");
    }
    out.host_is_ip = true;
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (host.empty()) return BadUrl("The URL has no host.");
    if (host.size() > 253) return BadUrl("The host name is longer than 253 characters.");
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
        return BadUrl("The host may hold only letters, digits, '-' and '.'.");
      }
    }
    out.host_is_ip = ClassifyAddressText(host).has_value();
    if (!out.host_is_ip && std::all_of(host.begin(), host.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
        })) {
      return BadUrl("The host looks numeric but is not a dotted IPv4 address.");
    }
  }
  if (authority.back() == ':' && port_text.empty()) return BadUrl("The port is empty.");
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      return BadUrl("The port must be a number from 1 to 65535.");
    }
    unsigned long port = std::stoul(std::string(port_text));
    if (port < 1 || port > 65535) return BadUrl("The port must be a number from 1 to 65535.");
    out.port = static_cast<std::uint16_t>(port);
  }
  out.host.assign(host);
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.host_is_ip) {
    AddressClass cls = *ClassifyAddressText(out.host);
    if (!AddressAllowed(cls, allow_private)) {
      std::string why = cls == AddressClass::kMetadata
                            ? " and is never allowed"
                            : "; allow private addresses on the endpoint to use it";
      return BadUrl("The address " + out.host + " is " + std::string(AddressClassName(cls)) + why +
                    ".");
    }
  }
  return out;
}

}  // namespace edgechat::shared
