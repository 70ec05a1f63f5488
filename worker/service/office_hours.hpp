// A site's office hours: a weekly schedule (per weekday zero or more intervals of local time),
// an IANA time zone, closed days and the "away" text visitors see outside the hours. One set of
// rules for the admin API and edgechatctl; the presence watch evaluates them at each poll
// (IsOpenAt), so what visitors see changes within a poll of a boundary.
//
// Intervals are [start, end) in minutes of the local day, "HH:MM-HH:MM" with end up to 24:00;
// an interval cannot cross midnight (write 22:00-24:00 and 00:00-02:00 on the next day). Local
// time comes from the instant: on the day DST begins a skipped hour never occurs (an interval
// inside it stays closed), and on the day it ends the repeated hour is open (or closed) both
// times. A holiday is closed all day, local date.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/tzif.hpp"
#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/office_hours_repo.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

inline constexpr std::size_t kMaxIntervalsPerDay = 6;
inline constexpr std::size_t kMaxHolidays = 100;
inline constexpr std::size_t kMaxAwayTextLength = 500;  // code points after trimming

struct HoursInterval {
  int start = 0;  // minutes after local midnight, 0..1439
  int end = 0;    // 1..1440, after start
  bool operator==(const HoursInterval&) const = default;
};

struct OfficeHours {
  std::string time_zone;                           // IANA name
  std::array<std::vector<HoursInterval>, 7> week;  // Monday first
  std::vector<std::string> holidays;               // YYYY-MM-DD, local dates
  std::string away_text;                           // plain text, 0..500
};

// "mon".."sun" (index 0..6) and back.
std::optional<int> WeekdayIndex(std::string_view name);
std::string_view WeekdayName(int index);

// "09:00-17:30" -> {540, 1050}; Error{kInvalidInput, "invalid_hours"} for another shape, an
// end not after its start, or a time out of range.
Result<HoursInterval> ParseHoursInterval(std::string_view text);
std::string FormatHoursInterval(const HoursInterval& interval);

// Loads a zone by name (LoadTimeZone over the system's zoneinfo; tests give their own).
using ZoneLoader = std::function<Result<TimeZone>(std::string_view name)>;
ZoneLoader SystemZoneLoader();

// Checks and normalizes: intervals sorted (overlapping ones are Error{kInvalidInput,
// "invalid_hours"}; adjacent ones are fine), at most kMaxIntervalsPerDay a day; holidays real
// dates, sorted, duplicates dropped, at most kMaxHolidays; the away text valid UTF-8 without
// control characters, trimmed, at most kMaxAwayTextLength (else "invalid_text"); the zone must
// load (else "invalid_time_zone").
Result<OfficeHours> ValidateOfficeHours(OfficeHours hours, const ZoneLoader& zones);

// Whether the site is open at `unix_s` (`zone` is hours.time_zone loaded).
bool IsOpenAt(const OfficeHours& hours, const TimeZone& zone, std::int64_t unix_s);

// The stored text forms, and back (a row that does not parse is Error{kInternal}).
OfficeHoursRow EncodeOfficeHours(std::uint64_t site_id, const OfficeHours& hours);
Result<OfficeHours> DecodeOfficeHours(const OfficeHoursRow& row);

// A site's hours as the admin API and the CLI show them.
struct SiteHoursView {
  std::optional<OfficeHours> hours;  // none: always open
  bool open_now = true;
};

class OfficeHoursService {
 public:
  // `changed` runs after each stored change (the worker's presence watch re-reads at once).
  OfficeHoursService(SiteRepo& sites, OfficeHoursRepo& repo, ZoneLoader zones, WallClock clock,
                     std::function<void()> changed = {});

  Result<SiteHoursView> Get(const std::string& site_key);
  Result<SiteHoursView> Set(const std::string& site_key, OfficeHours hours, const Actor& actor);
  Status Clear(const std::string& site_key, const Actor& actor);

 private:
  Result<SiteHoursView> ViewOf(std::optional<OfficeHours> hours);
  SiteRepo& sites_;
  OfficeHoursRepo& repo_;
  ZoneLoader zones_;
  WallClock clock_;
  std::function<void()> changed_;
};

}  // namespace edgechat::worker
