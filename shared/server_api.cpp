#include "shared/server_api.hpp"

#include <algorithm>
#include <array>

#include "shared/ascii.hpp"
#include "shared/guest_token.hpp"
#include "shared/ids.hpp"

namespace edgechat::shared {
namespace {

constexpr std::array<ServerRouteSpec, 7> kTable{{
    {ServerRoute::kConversations, "/api/v1/server/conversations", "GET"},
    {ServerRoute::kConversation, "/api/v1/server/conversations/{id}", "GET"},
    {ServerRoute::kMessages, "/api/v1/server/conversations/{id}/messages", "GET, POST"},
    {ServerRoute::kResolve, "/api/v1/server/conversations/{id}/resolve", "POST"},
    {ServerRoute::kReopen, "/api/v1/server/conversations/{id}/reopen", "POST"},
    {ServerRoute::kVisitorAttributes, "/api/v1/server/visitors/{guestId}/attributes", "GET, PUT"},
    {ServerRoute::kVisitor, "/api/v1/server/visitors/{guestId}", "DELETE"},
}};

std::optional<std::uint64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

bool IsValidSecretKey(std::string_view key) {
  return key.size() == kSecretKeyPrefix.size() + kSecretKeyRandomLength &&
         key.starts_with(kSecretKeyPrefix) &&
         std::all_of(key.begin() + kSecretKeyPrefix.size(), key.end(), IsAsciiAlnum);
}

std::optional<std::string_view> SecretKeyBearer(std::string_view authorization) {
  std::optional<std::string_view> key = BearerCredential(authorization);
  if (!key || !IsValidSecretKey(*key)) return std::nullopt;
  return key;
}

ServerRouteMatch ClassifyServerRoute(std::string_view path) {
  if (!path.starts_with(kServerApiPrefix)) return {};
  std::string_view rest = path.substr(kServerApiPrefix.size());
  constexpr std::string_view kVisitors = "visitors/";
  if (rest.starts_with(kVisitors)) {
    rest.remove_prefix(kVisitors.size());
    std::size_t slash = rest.find('/');
    std::string_view guest = rest.substr(0, slash);
    bool valid = guest.size() == kGuestIdPrefix.size() + kIdRandomLength &&
                 guest.starts_with(kGuestIdPrefix) &&
                 std::all_of(guest.begin() + kGuestIdPrefix.size(), guest.end(), IsAsciiAlnum);
    if (!valid) return {};
    if (slash == std::string_view::npos) return {ServerRoute::kVisitor, std::nullopt, guest};
    if (rest.substr(slash) == "/attributes") {
      return {ServerRoute::kVisitorAttributes, std::nullopt, guest};
    }
    return {};
  }
  constexpr std::string_view kConversations = "conversations";
  if (!rest.starts_with(kConversations)) return {};
  rest.remove_prefix(kConversations.size());
  if (rest.empty()) return {ServerRoute::kConversations, std::nullopt, {}};
  if (rest[0] != '/') return {};
  rest.remove_prefix(1);
  std::size_t slash = rest.find('/');
  std::optional<std::uint64_t> id = ParseId(rest.substr(0, slash));
  if (!id) return {};
  if (slash == std::string_view::npos) return {ServerRoute::kConversation, id, {}};
  std::string_view tail = rest.substr(slash + 1);
  if (tail == "messages") return {ServerRoute::kMessages, id, {}};
  if (tail == "resolve") return {ServerRoute::kResolve, id, {}};
  if (tail == "reopen") return {ServerRoute::kReopen, id, {}};
  return {};
}

std::span<const ServerRouteSpec> ServerRouteTable() {
  return kTable;
}

std::string_view ServerAllowedMethods(ServerRoute route) {
  for (const ServerRouteSpec& spec : kTable) {
    if (spec.route == route) return spec.methods;
  }
  return "";
}

bool ServerMethodAllowed(ServerRoute route, std::string_view method) {
  if (method.empty()) return false;
  std::string_view methods = ServerAllowedMethods(route);
  while (!methods.empty()) {
    std::size_t comma = methods.find(',');
    std::string_view one = methods.substr(0, comma);
    if (one == method) return true;
    if (comma == std::string_view::npos) break;
    methods.remove_prefix(comma + 1);
    while (!methods.empty() && methods.front() == ' ') methods.remove_prefix(1);
  }
  return false;
}

}  // namespace edgechat::shared
