// The JSON shapes of the external API (docs/api.md), in one place so tests pin them down.
#pragma once

#include <nlohmann/json.hpp>

#include "store/models.hpp"

namespace edgechat::worker {

nlohmann::json SiteConfigJson(const Site& site);
// A site's settings as the edge's registry carries them (key, name, look, lock, locale, main,
// origins, limits); the admin API shows the same object plus its id and creation time.
nlohmann::json SiteSettingsJson(const Site& site);
nlohmann::json MessageJson(const Message& message);
nlohmann::json HistoryJson(const History& history);
nlohmann::json NewGuestJson(const NewGuest& guest);

}  // namespace edgechat::worker
