// The JSON shapes of the external API (docs/api.md), in one place so tests pin them down.
#pragma once

#include <nlohmann/json.hpp>

#include "shared/registry.hpp"
#include "store/models.hpp"

namespace edgechat::worker {

// The config reply (shared/config_reply.hpp) without the rate limits, which the edge enforces.
nlohmann::json SiteConfigJson(const Site& site);
// A site's settings as the edge's registry carries them (shared::RegistryEntry); the admin API
// shows the same object plus its id and creation time.
shared::RegistryEntry RegistryEntryOf(const Site& site);
nlohmann::json SiteSettingsJson(const Site& site);
nlohmann::json MessageJson(const Message& message);
nlohmann::json HistoryJson(const History& history);
nlohmann::json NewGuestJson(const NewGuest& guest);

}  // namespace edgechat::worker
