// A site's defaults and limits as every program states them: the edge when a registry entry leaves
// a field out, the worker when it creates a site or answers for a locked one, the widget through
// the config reply. sql/001_initial.sql holds the same column defaults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::shared {

inline constexpr std::string_view kDefaultTitle = "Chat";
inline constexpr std::string_view kDefaultPrimaryColor = "#2563eb";

// The 403 site_locked message when the site has no locked message of its own.
inline constexpr std::string_view kDefaultLockedMessage = "This chat is closed for new messages.";

// Characters (code points, after trimming) in one message; the worker enforces it, the config
// reply tells the widget.
inline constexpr std::uint32_t kMaxMessageLength = 2000;

inline constexpr std::uint32_t kDefaultLimitMessages = 20;
inline constexpr std::uint32_t kDefaultLimitWindowSeconds = 60;
inline constexpr std::uint32_t kDefaultLimitBurst = 5;
inline constexpr std::string_view kDefaultLimitMessage =
    "You are sending messages too fast. Please wait a moment.";

// A site's message limit as the edge enforces it.
struct SiteLimits {
  std::uint32_t messages = kDefaultLimitMessages;             // messages allowed per window...
  std::uint32_t window_seconds = kDefaultLimitWindowSeconds;  // ...over this many seconds
  std::uint32_t burst = kDefaultLimitBurst;                   // extra messages allowed at once
  std::string message = std::string(kDefaultLimitMessage);
};

// "#rrggbb" in either case, returned lower-cased; anything else is Error{kInvalidInput,
// "invalid_color"} with a message that shows the expected form.
Result<std::string> ParseColor(std::string_view text);

}  // namespace edgechat::shared
