#include "shared/origin.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace edgechat::shared {
namespace {

enum class Mode { kAllowedEntry, kRequestHeader };

Error Invalid(std::string message) {
  return Error{ErrorKind::kInvalidInput, "invalid_origin", std::move(message)};
}

char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ToLowerAscii);
  return out;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f');
}

std::uint16_t DefaultPort(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

// A host whose last label is numeric is an IPv4 address for browsers (WHATWG URL), so only the
// canonical dotted-decimal form is accepted: "127.1" or "0x7f.0.0.1" would silently mean
// something else than what the admin sees.
bool LooksNumeric(std::string_view label) {
  if (label.empty()) return false;
  if (label.size() > 2 && label[0] == '0' && label[1] == 'x') {
    return std::all_of(label.begin() + 2, label.end(), IsHexDigit);
  }
  return std::all_of(label.begin(), label.end(), IsDigit);
}

Status ValidateIpv4(const std::vector<std::string_view>& labels) {
  if (labels.size() != 4) return Invalid("host is not a valid IPv4 address (use a.b.c.d)");
  for (std::string_view part : labels) {
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), IsDigit) ||
        (part.size() > 1 && part[0] == '0')) {
      return Invalid("host is not a valid IPv4 address (use a.b.c.d, no leading zeros)");
    }
    int value = 0;
    std::from_chars(part.data(), part.data() + part.size(), value);
    if (value > 255) return Invalid("host is not a valid IPv4 address (parts are 0-255)");
  }
  return Ok{};
}

std::vector<std::string_view> SplitLabels(std::string_view host) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) {
      labels.push_back(host.substr(start));
      return labels;
    }
    labels.push_back(host.substr(start, dot - start));
    start = dot + 1;
  }
}

// Validates a lower-cased, non-bracketed host. Sets *is_ip for IPv4 literals.
Status ValidateNameHost(std::string_view host, bool* is_ip) {
  *is_ip = false;
  if (host.empty()) return Invalid("origin has an empty host");
  if (host.back() == '.') return Invalid("host must not end with a dot");
  if (host.size() > 253) return Invalid("host is longer than 253 characters");
  std::vector<std::string_view> labels = SplitLabels(host);
  if (LooksNumeric(labels.back())) {
    *is_ip = true;
    return ValidateIpv4(labels);
  }
  for (std::string_view label : labels) {
    if (label.empty()) return Invalid("host has an empty label (two dots in a row?)");
    if (label.size() > 63) return Invalid("host has a label longer than 63 characters");
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-';
      if (!ok) {
        return Invalid(std::string("host contains an invalid character '") + c +
                       "' (letters, digits, '-' and '.' only)");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return Invalid("host labels must not start or end with '-'");
    }
  }
  return Ok{};
}

Result<std::string> CanonicalIpv6(std::string_view bracketed) {
  std::string inner(bracketed.substr(1, bracketed.size() - 2));
  if (inner.find('%') != std::string::npos) {
    return Invalid("IPv6 zone identifiers are not allowed in an origin");
  }
  std::array<unsigned char, 16> address{};
  if (inet_pton(AF_INET6, inner.c_str(), address.data()) != 1) {
    return Invalid("host is not a valid IPv6 address");
  }
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(AF_INET6, address.data(), text.data(), text.size()) == nullptr) {
    return Invalid("host is not a valid IPv6 address");
  }
  return "[" + std::string(text.data()) + "]";
}

Result<std::uint16_t> ParsePort(std::string_view text) {
  if (text.empty()) return Invalid("origin has ':' but no port");
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), IsDigit)) {
    return Invalid("port must be a number from 1 to 65535");
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value == 0 || value > 65535) return Invalid("port must be a number from 1 to 65535");
  return static_cast<std::uint16_t>(value);
}

Result<Origin> Parse(std::string_view text, Mode mode) {
  if (mode == Mode::kAllowedEntry) text = TrimAscii(text);
  if (text.empty()) return Invalid("origin is empty");
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      return Invalid(
          "origin must be ASCII: write internationalized domain names in punycode (xn--...)");
    }
    if (byte <= 0x20 || byte == 0x7f) {
      return Invalid("origin must not contain spaces or control characters");
    }
  }
  if (text.size() == 4 && ToLowerAscii(text[0]) == 'n' && ToLowerAscii(text[1]) == 'u' &&
      ToLowerAscii(text[2]) == 'l' && ToLowerAscii(text[3]) == 'l') {
    return Invalid("the \"null\" origin is never allowed");
  }

  Origin origin;
  std::string_view rest;
  std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) {
    if (mode == Mode::kAllowedEntry && text.substr(0, 2) == "*.") {
      origin.scheme = "https";  // a bare wildcard means https only; see origin.hpp
      rest = text;
    } else {
      return Invalid("origin must start with http:// or https://");
    }
  } else {
    origin.scheme = LowerAscii(text.substr(0, separator));
    if (origin.scheme != "http" && origin.scheme != "https") {
      return Invalid("unsupported scheme \"" + origin.scheme + "\": use http or https");
    }
    rest = text.substr(separator + 3);
  }

  std::size_t authority_end = rest.find_first_of("/?#\\");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos) {
    std::string_view tail = rest.substr(authority_end);
    bool lone_slash = tail == "/" && mode == Mode::kAllowedEntry;
    if (!lone_slash) {
      switch (tail.front()) {
        case '?':
          return Invalid("origin must not have a query");
        case '#':
          return Invalid("origin must not have a fragment");
        default:
          return Invalid("origin must not have a path");
      }
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return Invalid("origin must not contain user info (user@host)");
  }

  std::string_view host_text;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid("IPv6 host is missing its ']'");
    host_text = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid("unexpected characters after the IPv6 host");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) != std::string_view::npos) {
      return Invalid("IPv6 hosts must be written in brackets: http://[::1]:8080");
    }
    host_text = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }

  origin.port = DefaultPort(origin.scheme);
  if (has_port) {
    Result<std::uint16_t> port = ParsePort(port_text);
    if (!port) return port.error();
    origin.port = *port;
  }

  std::string host = LowerAscii(host_text);
  if (mode == Mode::kAllowedEntry && host.starts_with("*.")) {
    origin.wildcard = true;
    host.erase(0, 2);
  }
  if (host.find('*') != std::string::npos) {
    return Invalid(mode == Mode::kAllowedEntry
                       ? "a wildcard is only allowed as the whole first label: *.example.com"
                       : "origin must not contain '*'");
  }
  if (!host.empty() && host.front() == '[') {
    if (origin.wildcard) return Invalid("a wildcard cannot apply to an IP address");
    Result<std::string> canonical = CanonicalIpv6(host);
    if (!canonical) return canonical.error();
    origin.host = std::move(canonical).value();
    return origin;
  }
  bool is_ip = false;
  Status valid = ValidateNameHost(host, &is_ip);
  if (!valid) return valid.error();
  if (origin.wildcard) {
    if (is_ip) return Invalid("a wildcard cannot apply to an IP address");
    if (host.find('.') == std::string::npos) {
      return Invalid("a wildcard must cover a domain with at least two labels (*.example.com)");
    }
  }
  origin.host = std::move(host);
  return origin;
}

}  // namespace

std::string Origin::ToString() const {
  std::string out = scheme + "://";
  if (wildcard) out += "*.";
  out += host;
  if (port != DefaultPort(scheme)) out += ":" + std::to_string(port);
  return out;
}

Result<Origin> ParseAllowedOrigin(std::string_view entry) {
  return Parse(entry, Mode::kAllowedEntry);
}

Result<std::string> NormalizeAllowedOrigin(std::string_view entry) {
  Result<Origin> origin = ParseAllowedOrigin(entry);
  if (!origin) return origin.error();
  return origin->ToString();
}

Result<Origin> ParseRequestOrigin(std::string_view header) {
  return Parse(header, Mode::kRequestHeader);
}

bool OriginMatches(const Origin& allowed, const Origin& request) {
  if (request.wildcard) return false;
  if (allowed.scheme != request.scheme || allowed.port != request.port) return false;
  if (!allowed.wildcard) return allowed.host == request.host;
  // Subdomains only, at a dot boundary: "a.example.com" under "example.com", never the apex,
  // never "evilexample.com".
  const std::string& base = allowed.host;
  const std::string& host = request.host;
  return host.size() > base.size() + 1 && host.ends_with(base) &&
         host[host.size() - base.size() - 1] == '.';
}

bool OriginAllowed(const std::vector<Origin>& allowed, const Origin& request) {
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const Origin& entry) { return OriginMatches(entry, request); });
}

}  // namespace edgechat::shared
