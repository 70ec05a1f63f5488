// Time zones from the system's TZif files (RFC 8536; Debian's tzdata package installs them under
// /usr/share/zoneinfo). g++ 12's libstdc++ has no chrono time-zone database, so this reads the
// files itself: the transitions (64-bit, version 2+ data when present) and the POSIX TZ footer
// that gives the rule after the last transition. Only UTC -> local is needed: office hours are
// evaluated at an instant, so a repeated local hour simply occurs twice and a skipped one never.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::worker {

// A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), month/week/day rules only.
struct PosixZoneRule {
  std::int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  std::int32_t dst_offset = 0;
  struct Date {
    int month = 0, week = 0, weekday = 0;  // Mm.w.d: week 5 is the last
    std::int32_t time = 7200;              // seconds after local midnight (may be < 0 or > 24 h)
  };
  Date start, end;
};

// Parses the footer rule; nullopt for a form it does not know (Jn or n dates).
std::optional<PosixZoneRule> ParsePosixZoneRule(std::string_view text);

class TimeZone {
 public:
  // The UTC offset in seconds at the instant `unix_s`.
  std::int32_t OffsetAt(std::int64_t unix_s) const;
  const std::string& name() const { return name_; }

 private:
  friend Result<TimeZone> ParseTzif(std::string_view name, std::string_view bytes);
  std::string name_;
  std::vector<std::int64_t> transitions_;
  std::vector<std::uint8_t> type_of_;    // per transition, an index into offsets_
  std::vector<std::int32_t> offsets_;    // per local time type
  std::optional<PosixZoneRule> footer_;  // after the last transition
};

// A zone name as tzdata spells them: 1..64 characters of [A-Za-z0-9_+-/], each part starting
// with a letter or digit (so no "..", no absolute path).
bool IsValidZoneName(std::string_view name);

// The bytes of a TZif file; Error{kInvalidInput, "invalid_time_zone"} when they are not one.
Result<TimeZone> ParseTzif(std::string_view name, std::string_view bytes);

// Reads `dir`/`name`. A bad name or a missing or unreadable file is Error{kInvalidInput,
// "invalid_time_zone"} naming the zone.
Result<TimeZone> LoadTimeZone(std::string_view name,
                              const std::string& dir = "/usr/share/zoneinfo");

// Civil dates (proleptic Gregorian) and days since 1970-01-01.
std::int64_t DaysFromCivil(int year, int month, int day);
struct CivilDate {
  int year = 1970, month = 1, day = 1;
};
CivilDate CivilFromDays(std::int64_t days);

}  // namespace edgechat::worker
