// The formats of edgechat's public identifiers (docs/architecture.md, "Identifiers"). The worker
// generates them (worker/common/ids.hpp, with libsodium); every program checks them here, so a key
// one side accepts the other does not refuse. The guest token's shape is in guest_token.hpp.
#pragma once

#include <cstddef>
#include <string_view>

namespace edgechat::shared {

inline constexpr std::string_view kSiteKeyPrefix = "ek_";
inline constexpr std::string_view kGuestIdPrefix = "g_";
// Characters of [A-Za-z0-9] after either prefix.
inline constexpr std::size_t kIdRandomLength = 24;

// "ek_" followed by exactly 24 characters of [A-Za-z0-9].
bool IsValidSiteKey(std::string_view key);

}  // namespace edgechat::shared
