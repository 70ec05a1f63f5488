#include "shared/api_routes.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "shared/ascii.hpp"

namespace edgechat::shared {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

}  // namespace

ApiRoute ClassifyApiRoute(std::string_view path) {
  if (!path.starts_with(kExternalApiPrefix)) return ApiRoute::kUnknown;
  std::string_view rest = path.substr(kExternalApiPrefix.size());
  if (rest == "config") return ApiRoute::kConfig;
  if (rest == "guests") return ApiRoute::kGuests;
  if (rest == "messages") return ApiRoute::kMessages;
  if (rest == "events") return ApiRoute::kEvents;
  if (rest == "events/ticket") return ApiRoute::kEventTicket;
  if (rest == "typing") return ApiRoute::kTyping;
  if (rest == "read") return ApiRoute::kRead;
  constexpr std::string_view kMessages = "messages/";
  constexpr std::string_view kReaction = "/reaction";
  if (rest.starts_with(kMessages) && rest.ends_with(kReaction)) {
    std::string_view id =
        rest.substr(kMessages.size(), rest.size() - kMessages.size() - kReaction.size());
    if (!id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), IsBase64UrlChar)) {
      return ApiRoute::kReaction;
    }
  }
  return ApiRoute::kUnknown;
}

std::string_view AllowedMethods(ApiRoute route) {
  switch (route) {
    case ApiRoute::kConfig:
      return "GET, HEAD, OPTIONS";
    case ApiRoute::kGuests:
      return "POST, OPTIONS";
    case ApiRoute::kMessages:
      return "GET, POST, OPTIONS";
    case ApiRoute::kReaction:
      return "PUT, OPTIONS";
    case ApiRoute::kEvents:
      return "GET, OPTIONS";
    case ApiRoute::kEventTicket:
    case ApiRoute::kTyping:
    case ApiRoute::kRead:
      return "POST, OPTIONS";
    case ApiRoute::kUnknown:
      break;
  }
  return "OPTIONS";
}

bool MethodAllowed(ApiRoute route, std::string_view method) {
  if (method == "OPTIONS") return route != ApiRoute::kUnknown;
  switch (route) {
    case ApiRoute::kConfig:
      return method == "GET" || method == "HEAD";
    case ApiRoute::kGuests:
      return method == "POST";
    case ApiRoute::kMessages:
      return method == "GET" || method == "POST";
    case ApiRoute::kReaction:
      return method == "PUT";
    case ApiRoute::kEvents:
      return method == "GET";
    case ApiRoute::kEventTicket:
    case ApiRoute::kTyping:
    case ApiRoute::kRead:
      return method == "POST";
    case ApiRoute::kUnknown:
      break;
  }
  return false;
}

bool RouteActsForGuest(ApiRoute route) {
  return route == ApiRoute::kMessages || route == ApiRoute::kReaction ||
         route == ApiRoute::kEvents || route == ApiRoute::kEventTicket ||
         route == ApiRoute::kTyping || route == ApiRoute::kRead;
}

bool SiteKeyMayComeFromQuery(ApiRoute route) {
  return route == ApiRoute::kEvents;
}

std::string LimiterAddress(std::string_view address) {
  if (address.find(':') == std::string_view::npos || address.size() >= INET6_ADDRSTRLEN) {
    return std::string(address);
  }
  std::string text(address);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return text;
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (std::memcmp(bytes.data(), kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
    if (inet_ntop(AF_INET, bytes.data() + 12, out.data(), out.size()) == nullptr) return text;
    return out.data();
  }
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  if (inet_ntop(AF_INET6, bytes.data(), out.data(), out.size()) == nullptr) return text;
  return std::string(out.data()) + "/64";
}

bool IsJsonContentType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return EqualsIgnoreCase(type, "application/json");
}

}  // namespace edgechat::shared
