#include "admin/hours_json.hpp"

namespace edgechat::worker {

using nlohmann::json;

json SiteHoursJson(const std::string& site_key, const SiteHoursView& view) {
  json out{{"site", site_key}, {"openNow", view.open_now}, {"hours", nullptr}};
  if (!view.hours) return out;
  const OfficeHours& h = *view.hours;
  json week = json::object();
  for (int day = 0; day < 7; ++day) {
    json list = json::array();
    for (const auto& interval : h.week[day]) list.push_back(FormatHoursInterval(interval));
    week[std::string(WeekdayName(day))] = std::move(list);
  }
  out["hours"] = json{{"timeZone", h.time_zone},
                      {"week", std::move(week)},
                      {"holidays", h.holidays},
                      {"awayText", h.away_text}};
  return out;
}

Result<OfficeHours> OfficeHoursFromJson(const json& body) {
  auto bad = [](const std::string& what) -> Error {
    return Error{ErrorKind::kInvalidInput, "invalid_input", what};
  };
  if (!body.is_object()) return bad("give an object {timeZone, week, holidays, awayText}");
  OfficeHours hours;
  if (!body.contains("timeZone") || !body.at("timeZone").is_string()) {
    return bad("timeZone must be an IANA time zone name, such as Europe/Berlin");
  }
  hours.time_zone = body.at("timeZone").get<std::string>();
  if (body.contains("week")) {
    const json& week = body.at("week");
    if (!week.is_object()) return bad("week must be an object of weekdays (mon..sun)");
    for (const auto& [name, list] : week.items()) {
      auto day = WeekdayIndex(name);
      if (!day) return bad("unknown weekday " + name + ": use mon, tue, wed, thu, fri, sat, sun");
      if (!list.is_array()) return bad("week." + name + " must be an array of \"HH:MM-HH:MM\"");
      for (const auto& item : list) {
        if (!item.is_string()) return bad("week." + name + " must hold \"HH:MM-HH:MM\" strings");
        EC_TRY(interval, ParseHoursInterval(item.get<std::string>()));
        hours.week[*day].push_back(interval);
      }
    }
  }
  if (body.contains("holidays")) {
    const json& list = body.at("holidays");
    if (!list.is_array()) return bad("holidays must be an array of \"YYYY-MM-DD\"");
    for (const auto& item : list) {
      if (!item.is_string()) return bad("holidays must hold \"YYYY-MM-DD\" strings");
      hours.holidays.push_back(item.get<std::string>());
    }
  }
  if (body.contains("awayText")) {
    if (!body.at("awayText").is_string()) return bad("awayText must be a string");
    hours.away_text = body.at("awayText").get<std::string>();
  }
  return hours;
}

}  // namespace edgechat::worker
