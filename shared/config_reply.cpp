#include "shared/config_reply.hpp"

namespace edgechat::shared {

using nlohmann::json;

json ConfigReply(const SiteLook& look, const SiteLimits* enforced) {
  json limits = {{"maxMessageLength", kMaxMessageLength}};
  if (enforced != nullptr) {
    limits["messages"] = enforced->messages;
    limits["windowSeconds"] = enforced->window_seconds;
    limits["burst"] = enforced->burst;
    limits["message"] = enforced->message;
  }
  return json{{"title", look.title},
              {"primaryColor", look.primary_color},
              {"locked", look.locked},
              {"lockedMessage", look.locked_message},
              {"locale", look.locale ? json(*look.locale) : json(nullptr)},
              {"limits", std::move(limits)}};
}

}  // namespace edgechat::shared
