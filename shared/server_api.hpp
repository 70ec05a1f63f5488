// The server API (/api/v1/server/, docs/server-api.md): its route table and the secret key's
// shape and header grammar, read by the edge (which refuses unknown keys and limits per key) and
// the worker (which verifies the key again and answers). docs/server-api.yaml documents every
// route of ServerRouteTable; tests/integration/server-api-openapi checks the two agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace edgechat::shared {

inline constexpr std::string_view kServerApiPrefix = "/api/v1/server/";

// "esk_" followed by exactly 40 characters of [A-Za-z0-9] (worker/store/secret_key_repo makes
// them); stored and published only as the hex SHA-256 of the whole key.
inline constexpr std::string_view kSecretKeyPrefix = "esk_";
inline constexpr std::size_t kSecretKeyRandomLength = 40;
bool IsValidSecretKey(std::string_view key);

// The secret key of an Authorization header value: the scheme "Bearer" in any case, one or more
// spaces, then a key of IsValidSecretKey's shape and nothing else; else std::nullopt (401).
std::optional<std::string_view> SecretKeyBearer(std::string_view authorization);

enum class ServerRoute {
  kUnknown,
  kConversations,      // GET conversations
  kConversation,       // GET conversations/{id}
  kMessages,           // GET, POST conversations/{id}/messages
  kResolve,            // POST conversations/{id}/resolve
  kReopen,             // POST conversations/{id}/reopen
  kVisitorAttributes,  // GET, PUT visitors/{guestId}/attributes
  kVisitor,            // DELETE visitors/{guestId}: erase the visitor\'s data
};

struct ServerRouteMatch {
  ServerRoute route = ServerRoute::kUnknown;
  std::optional<std::uint64_t> conversation_id;  // for the routes under conversations/{id}
  std::string_view guest_id;  // for the routes under visitors/{guestId}: "g_" + 24 [A-Za-z0-9]
};

// Paths are the URI without the query. An id is 1..18 digits, not 0 and without leading zeros.
ServerRouteMatch ClassifyServerRoute(std::string_view path);

// One row of the table: the path as OpenAPI writes it and the methods, comma-separated.
struct ServerRouteSpec {
  ServerRoute route;
  std::string_view path;     // "/api/v1/server/conversations/{id}/messages"
  std::string_view methods;  // "GET, POST"
};
std::span<const ServerRouteSpec> ServerRouteTable();

// The value of an Allow header for the route; MethodAllowed by that list.
std::string_view ServerAllowedMethods(ServerRoute route);
bool ServerMethodAllowed(ServerRoute route, std::string_view method);

}  // namespace edgechat::shared
