#include "service/office_hours.hpp"

#include <algorithm>
#include <charconv>

#include "service/rules.hpp"

namespace edgechat::worker {

namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

Error InvalidHours(std::string message) {
  return Error{ErrorKind::kInvalidInput, "invalid_hours", std::move(message)};
}

std::optional<int> TwoDigits(std::string_view s) {
  if (s.size() != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return std::nullopt;
  return (s[0] - '0') * 10 + (s[1] - '0');
}

// "HH:MM" -> minutes, 00:00..24:00.
std::optional<int> ParseClock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  auto h = TwoDigits(s.substr(0, 2));
  auto m = TwoDigits(s.substr(3, 2));
  if (!h || !m || *m > 59 || *h > 24 || (*h == 24 && *m != 0)) return std::nullopt;
  return *h * 60 + *m;
}

std::string ClockText(int minutes) {
  char out[6];
  out[0] = static_cast<char>('0' + minutes / 600);
  out[1] = static_cast<char>('0' + (minutes / 60) % 10);
  out[2] = ':';
  out[3] = static_cast<char>('0' + (minutes % 60) / 10);
  out[4] = static_cast<char>('0' + minutes % 10);
  out[5] = '\0';
  return out;
}

// "YYYY-MM-DD", a real date from 2000 to 2199.
bool IsValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  auto digits = [](std::string_view part, int& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(s.substr(0, 4), y) || !digits(s.substr(5, 2), m) || !digits(s.substr(8, 2), d)) {
    return false;
  }
  if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1) return false;
  CivilDate back = CivilFromDays(DaysFromCivil(y, m, d));
  return back.month == m && back.day == d;
}

std::string DateText(const CivilDate& date) {
  std::string out = std::to_string(date.year) + "-";
  if (date.month < 10) out += '0';
  out += std::to_string(date.month) + "-";
  if (date.day < 10) out += '0';
  out += std::to_string(date.day);
  return out;
}

std::vector<std::string_view> SplitOn(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? text.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

}  // namespace

std::optional<int> WeekdayIndex(std::string_view name) {
  for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
    if (kWeekdays[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string_view WeekdayName(int index) {
  return kWeekdays.at(static_cast<std::size_t>(index));
}

Result<HoursInterval> ParseHoursInterval(std::string_view text) {
  const std::string shown = "\"" + std::string(text.substr(0, 40)) + "\"";
  if (text.size() != 11 || text[5] != '-') {
    return InvalidHours("An interval is HH:MM-HH:MM (like 09:00-17:30), not " + shown + ".");
  }
  auto start = ParseClock(text.substr(0, 5));
  auto end = ParseClock(text.substr(6, 5));
  if (!start || !end) {
    return InvalidHours("An interval is HH:MM-HH:MM with times from 00:00 to 24:00, not " + shown +
                        ".");
  }
  if (*end <= *start) {
    return InvalidHours("The interval " + shown +
                        " ends before it starts; an interval cannot cross midnight (split it "
                        "into one that ends at 24:00 and one that starts at 00:00).");
  }
  return HoursInterval{*start, *end};
}

std::string FormatHoursInterval(const HoursInterval& interval) {
  return ClockText(interval.start) + "-" + ClockText(interval.end);
}

ZoneLoader SystemZoneLoader() {
  return [](std::string_view name) { return LoadTimeZone(name); };
}

Result<OfficeHours> ValidateOfficeHours(OfficeHours hours, const ZoneLoader& zones) {
  EC_TRY(zone, zones(hours.time_zone));
  (void)zone;
  for (std::size_t day = 0; day < hours.week.size(); ++day) {
    auto& list = hours.week[day];
    const std::string name(kWeekdays[day]);
    if (list.size() > kMaxIntervalsPerDay) {
      return InvalidHours(name + " has " + std::to_string(list.size()) +
                          " intervals; a day has at most " + std::to_string(kMaxIntervalsPerDay) +
                          ".");
    }
    for (const auto& i : list) {
      if (i.start < 0 || i.end > 1440 || i.end <= i.start) {
        return InvalidHours("An interval on " + name + " ends before it starts.");
      }
    }
    std::sort(list.begin(), list.end(),
              [](const HoursInterval& a, const HoursInterval& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < list.size(); ++i) {
      if (list[i].start < list[i - 1].end) {
        return InvalidHours("On " + name + " the intervals " + FormatHoursInterval(list[i - 1]) +
                            " and " + FormatHoursInterval(list[i]) + " overlap.");
      }
    }
  }
  for (const auto& date : hours.holidays) {
    if (!IsValidDate(date)) {
      return InvalidHours("A holiday is a date YYYY-MM-DD, not \"" + date.substr(0, 40) + "\".");
    }
  }
  std::sort(hours.holidays.begin(), hours.holidays.end());
  hours.holidays.erase(std::unique(hours.holidays.begin(), hours.holidays.end()),
                       hours.holidays.end());
  if (hours.holidays.size() > kMaxHolidays) {
    return InvalidHours("At most " + std::to_string(kMaxHolidays) + " holidays.");
  }
  EC_TRY(away, rules::Text("awayText", hours.away_text, 0, kMaxAwayTextLength));
  for (char c : away) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) {
      return Error{ErrorKind::kInvalidInput, "invalid_text",
                   "awayText is plain text: no control characters but line breaks."};
    }
  }
  hours.away_text = std::move(away);
  return hours;
}

bool IsOpenAt(const OfficeHours& hours, const TimeZone& zone, std::int64_t unix_s) {
  const std::int64_t local = unix_s + zone.OffsetAt(unix_s);
  std::int64_t days = local / 86400;
  if (local % 86400 < 0) --days;
  const int minute = static_cast<int>((local - days * 86400) / 60);
  if (!hours.holidays.empty() && std::binary_search(hours.holidays.begin(), hours.holidays.end(),
                                                    DateText(CivilFromDays(days)))) {
    return false;
  }
  const int weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01: Thursday
  for (const auto& i : hours.week[static_cast<std::size_t>(weekday)]) {
    if (minute >= i.start && minute < i.end) return true;
  }
  return false;
}

OfficeHoursRow EncodeOfficeHours(std::uint64_t site_id, const OfficeHours& hours) {
  OfficeHoursRow row{site_id, hours.time_zone, "", "", hours.away_text};
  for (std::size_t day = 0; day < hours.week.size(); ++day) {
    if (day > 0) row.week += ';';
    for (std::size_t i = 0; i < hours.week[day].size(); ++i) {
      if (i > 0) row.week += ',';
      row.week += FormatHoursInterval(hours.week[day][i]);
    }
  }
  for (std::size_t i = 0; i < hours.holidays.size(); ++i) {
    if (i > 0) row.holidays += ',';
    row.holidays += hours.holidays[i];
  }
  return row;
}

Result<OfficeHours> DecodeOfficeHours(const OfficeHoursRow& row) {
  OfficeHours hours;
  hours.time_zone = row.time_zone;
  hours.away_text = row.away_text;
  auto days = SplitOn(row.week, ';');
  if (days.size() != 7) {
    return Error{ErrorKind::kInternal, "invalid_stored_hours", "Stored office hours are damaged."};
  }
  for (std::size_t day = 0; day < 7; ++day) {
    if (days[day].empty()) continue;
    for (auto part : SplitOn(days[day], ',')) {
      auto interval = ParseHoursInterval(part);
      if (!interval) {
        return Error{ErrorKind::kInternal, "invalid_stored_hours",
                     "Stored office hours are damaged."};
      }
      hours.week[day].push_back(*interval);
    }
  }
  if (!row.holidays.empty()) {
    for (auto part : SplitOn(row.holidays, ',')) hours.holidays.emplace_back(part);
  }
  return hours;
}

OfficeHoursService::OfficeHoursService(SiteRepo& sites, OfficeHoursRepo& repo, ZoneLoader zones,
                                       WallClock clock, std::function<void()> changed)
    : sites_(sites),
      repo_(repo),
      zones_(std::move(zones)),
      clock_(std::move(clock)),
      changed_(std::move(changed)) {}

Result<SiteHoursView> OfficeHoursService::ViewOf(std::optional<OfficeHours> hours) {
  SiteHoursView view;
  if (hours) {
    EC_TRY(zone, zones_(hours->time_zone));
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
    view.open_now = IsOpenAt(*hours, zone, now);
  }
  view.hours = std::move(hours);
  return view;
}

Result<SiteHoursView> OfficeHoursService::Get(const std::string& site_key) {
  EC_TRY(site, sites_.Find(site_key));
  EC_TRY(row, repo_.Get(site.id));
  if (!row) return ViewOf(std::nullopt);
  EC_TRY(hours, DecodeOfficeHours(*row));
  return ViewOf(std::move(hours));
}

Result<SiteHoursView> OfficeHoursService::Set(const std::string& site_key, OfficeHours hours,
                                              const Actor& actor) {
  EC_TRY(site, sites_.Find(site_key));
  EC_TRY(valid, ValidateOfficeHours(std::move(hours), zones_));
  EC_TRY(put, repo_.Put(EncodeOfficeHours(site.id, valid), site.key, actor));
  (void)put;
  if (changed_) changed_();
  return ViewOf(std::move(valid));
}

Status OfficeHoursService::Clear(const std::string& site_key, const Actor& actor) {
  EC_TRY(site, sites_.Find(site_key));
  EC_TRY(removed, repo_.Remove(site.id, site.key, actor));
  (void)removed;
  if (changed_) changed_();
  return Ok{};
}

}  // namespace edgechat::worker
