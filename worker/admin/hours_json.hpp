// The JSON shape of a site's office hours, shared by the admin API (GET/PUT/DELETE
// /api/v1/admin/sites/KEY/hours) and edgechatctl's `site hours --json` (docs/api.md, docs/cli.md):
//   {"site": KEY, "openNow": bool, "hours": null | {"timeZone", "week": {"mon": ["09:00-17:00"],
//    ...}, "holidays": ["YYYY-MM-DD"], "awayText"}}
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "service/office_hours.hpp"
#include "shared/result.hpp"

namespace edgechat::worker {

nlohmann::json SiteHoursJson(const std::string& site_key, const SiteHoursView& view);

// The body of a PUT ({timeZone, week, holidays, awayText}) as service input: type checks only
// (Error{kInvalidInput, "invalid_input"}), interval syntax through ParseHoursInterval; the rules
// are the service's (ValidateOfficeHours).
Result<OfficeHours> OfficeHoursFromJson(const nlohmann::json& body);

}  // namespace edgechat::worker
