// The body of GET /api/v1/external/config (docs/api.md), built by one function for both programs
// that answer it: the edge (precomputed per site from its registry) and the worker (behind the
// edge, or called directly).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "shared/site_defaults.hpp"

namespace edgechat::shared {

struct SiteLook {
  std::string_view title;
  std::string_view primary_color;
  bool locked = false;
  std::string_view locked_message;
  const std::optional<std::string>& locale;
};

// {"title", "primaryColor", "locked", "lockedMessage", "locale", "limits": {"maxMessageLength"}}.
// `enforced`: the message limit of the program that enforces it (the edge), added to "limits" as
// "messages", "windowSeconds", "burst" and "message"; nullptr adds nothing (the worker).
nlohmann::json ConfigReply(const SiteLook& look, const SiteLimits* enforced);

}  // namespace edgechat::shared
