// The guest token's shape and the one reading of the header that carries it. The edge keys the
// per-guest limits on what BearerToken returns and the worker looks the guest up by the same
// function: a spelling one side accepts and the other does not key would slip past the limit.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace edgechat::shared {

// 32 random bytes as base64url without padding (docs/architecture.md, "Identifiers").
inline constexpr std::size_t kGuestTokenLength = 43;

// Cheap shape check before any hashing or database work: 43 base64url characters. Stream
// tickets have the same shape.
bool LooksLikeGuestToken(std::string_view token);

// The token of an Authorization header value: the scheme "Bearer" in any case, one or more
// spaces (RFC 9110's 1*SP), then a token of LooksLikeGuestToken's shape and nothing else.
// Anything else (another scheme, a tab, trailing text, a wrong length) is std::nullopt: the edge
// refuses it with 401 and the worker finds no guest for it.
std::optional<std::string_view> BearerToken(std::string_view authorization);

// What follows the scheme "Bearer" (any case) and one or more spaces, unchecked; std::nullopt for
// another scheme or nothing after it. BearerToken and SecretKeyBearer (server_api.hpp) check it.
std::optional<std::string_view> BearerCredential(std::string_view authorization);

}  // namespace edgechat::shared
