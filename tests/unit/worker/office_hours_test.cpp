// The TZif reader over the system's zoneinfo (Debian's tzdata) and office-hours evaluation.
#include <gtest/gtest.h>

#include <fstream>

#include "common/tzif.hpp"
#include "service/office_hours.hpp"

namespace edgechat::worker {
namespace {

std::int64_t At(int y, int mo, int d, int h, int mi, int s = 0) {
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

TimeZone Zone(std::string_view name) {
  auto zone = LoadTimeZone(name);
  EXPECT_TRUE(zone.ok()) << name << ": " << (zone.ok() ? "" : zone.error().message);
  return std::move(zone).value();
}

TEST(CivilDays, KnownDatesBothWays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  CivilDate d = CivilFromDays(DaysFromCivil(2028, 2, 29));
  EXPECT_EQ(d.year, 2028);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
}

TEST(Tzif, BerlinChangesAtTheDstTransitionsBothWays) {
  TimeZone berlin = Zone("Europe/Berlin");
  EXPECT_EQ(berlin.OffsetAt(At(2026, 3, 29, 0, 59, 59)), 3600);
  EXPECT_EQ(berlin.OffsetAt(At(2026, 3, 29, 1, 0)), 7200);
  EXPECT_EQ(berlin.OffsetAt(At(2026, 10, 25, 0, 59, 59)), 7200);
  EXPECT_EQ(berlin.OffsetAt(At(2026, 10, 25, 1, 0)), 3600);
  // After the file's last transition the POSIX footer rule decides.
  EXPECT_EQ(berlin.OffsetAt(At(2060, 7, 1, 12, 0)), 7200);
  EXPECT_EQ(berlin.OffsetAt(At(2060, 1, 1, 12, 0)), 3600);
}

TEST(Tzif, SydneyHasSummerTimeAroundTheNewYear) {
  TimeZone sydney = Zone("Australia/Sydney");
  EXPECT_EQ(sydney.OffsetAt(At(2026, 1, 15, 0, 0)), 11 * 3600);
  EXPECT_EQ(sydney.OffsetAt(At(2026, 7, 15, 0, 0)), 10 * 3600);
  EXPECT_EQ(sydney.OffsetAt(At(2060, 1, 15, 0, 0)), 11 * 3600);
  EXPECT_EQ(sydney.OffsetAt(At(2060, 7, 15, 0, 0)), 10 * 3600);
}

TEST(Tzif, UtcFixedOffsetAndTehran) {
  EXPECT_EQ(Zone("UTC").OffsetAt(At(2026, 6, 1, 0, 0)), 0);
  EXPECT_EQ(Zone("Etc/GMT-5").OffsetAt(At(2026, 6, 1, 0, 0)), 5 * 3600);  // POSIX sign: east
  TimeZone tehran = Zone("Asia/Tehran");
  EXPECT_EQ(tehran.OffsetAt(At(2026, 7, 1, 0, 0)), 12600) << "no DST since 2022";
  EXPECT_EQ(tehran.OffsetAt(At(2020, 7, 1, 0, 0)), 16200) << "history still read";
  EXPECT_EQ(tehran.OffsetAt(At(2050, 7, 1, 0, 0)), 12600);
}

TEST(Tzif, PosixRules) {
  auto tehran = ParsePosixZoneRule("<+0330>-3:30");
  ASSERT_TRUE(tehran);
  EXPECT_EQ(tehran->std_offset, 12600);
  EXPECT_FALSE(tehran->has_dst);
  auto sydney = ParsePosixZoneRule("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney);
  EXPECT_EQ(sydney->dst_offset, 11 * 3600);
  EXPECT_EQ(sydney->end.time, 3 * 3600);
  EXPECT_FALSE(ParsePosixZoneRule("XYZ0ABC,J60,J300"));
}

TEST(Tzif, AMissingOrBadZoneIsAClearError) {
  for (std::string_view name :
       {"Mars/Olympus_Mons", "../../etc/passwd", "/etc/passwd", "", "Europe"}) {
    auto zone = LoadTimeZone(name);
    ASSERT_FALSE(zone.ok()) << name;
    EXPECT_EQ(zone.error().code, "invalid_time_zone");
    EXPECT_EQ(zone.error().kind, ErrorKind::kInvalidInput);
  }
  EXPECT_FALSE(LoadTimeZone("UTC", "/nonexistent-zoneinfo").ok());
  EXPECT_FALSE(ParseTzif("x", "TZif2 but not really").ok());
  std::ifstream in("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 200u);
  EXPECT_FALSE(ParseTzif("cut", bytes.substr(0, bytes.size() / 2)).ok()) << "truncated";
}

OfficeHours Hours(std::string zone) {
  OfficeHours h;
  h.time_zone = std::move(zone);
  return h;
}

TEST(OfficeHoursEval, IntervalBoundariesAreStartInclusiveEndExclusive) {
  OfficeHours h = Hours("Europe/Berlin");
  h.week[0] = {{9 * 60, 17 * 60}};  // Monday 09:00-17:00
  TimeZone berlin = Zone("Europe/Berlin");
  // 2026-12-07 is a Monday; Berlin is UTC+1 in December.
  EXPECT_FALSE(IsOpenAt(h, berlin, At(2026, 12, 7, 7, 59, 59)));
  EXPECT_TRUE(IsOpenAt(h, berlin, At(2026, 12, 7, 8, 0)));
  EXPECT_TRUE(IsOpenAt(h, berlin, At(2026, 12, 7, 15, 59, 59)));
  EXPECT_FALSE(IsOpenAt(h, berlin, At(2026, 12, 7, 16, 0)));
  EXPECT_FALSE(IsOpenAt(h, berlin, At(2026, 12, 8, 10, 0))) << "Tuesday has no hours";
  h.holidays = {"2026-12-07"};
  EXPECT_FALSE(IsOpenAt(h, berlin, At(2026, 12, 7, 10, 0))) << "a holiday is closed all day";
  EXPECT_TRUE(IsOpenAt(h, berlin, At(2026, 12, 14, 10, 0)));
}

TEST(OfficeHoursEval, TheSkippedHourNeverOpensAndTheRepeatedHourOpensTwice) {
  TimeZone berlin = Zone("Europe/Berlin");
  OfficeHours h = Hours("Europe/Berlin");
  h.week[6] = {{2 * 60, 3 * 60}};  // Sunday 02:00-03:00
  int open_minutes = 0;
  for (int m = 0; m < 24 * 60; ++m)
    open_minutes += IsOpenAt(h, berlin, At(2026, 3, 29, 0, 0) + m * 60);
  EXPECT_EQ(open_minutes, 0) << "2026-03-29 02:00-03:00 does not exist in Berlin";
  open_minutes = 0;
  for (int m = 0; m < 24 * 60; ++m)
    open_minutes += IsOpenAt(h, berlin, At(2026, 10, 25, 0, 0) + m * 60);
  EXPECT_EQ(open_minutes, 120) << "2026-10-25 02:00-03:00 happens twice";
  EXPECT_TRUE(IsOpenAt(h, berlin, At(2026, 10, 25, 0, 30)));  // CEST
  EXPECT_TRUE(IsOpenAt(h, berlin, At(2026, 10, 25, 1, 30)));  // CET
}

TEST(OfficeHoursEval, TehranAndSydneyLocalDays) {
  OfficeHours h = Hours("Asia/Tehran");
  h.week[5] = {{8 * 60, 14 * 60}};  // Saturday 08:00-14:00
  TimeZone tehran = Zone("Asia/Tehran");
  // 2026-12-05 is a Saturday: 08:00 Tehran is 04:30 UTC.
  EXPECT_FALSE(IsOpenAt(h, tehran, At(2026, 12, 5, 4, 29)));
  EXPECT_TRUE(IsOpenAt(h, tehran, At(2026, 12, 5, 4, 30)));
  OfficeHours s = Hours("Australia/Sydney");
  s.week[0] = {{0, 60}};  // Monday 00:00-01:00 local = Sunday 13:00 UTC in January
  TimeZone sydney = Zone("Australia/Sydney");
  EXPECT_TRUE(IsOpenAt(s, sydney, At(2026, 1, 11, 13, 30)));
  EXPECT_FALSE(IsOpenAt(s, sydney, At(2026, 1, 12, 0, 30)));
}

TEST(OfficeHoursRules, IntervalsParseAndBadOnesAreClearErrors) {
  auto i = ParseHoursInterval("09:00-17:30");
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->start, 540);
  EXPECT_EQ(i->end, 1050);
  EXPECT_EQ(FormatHoursInterval(*i), "09:00-17:30");
  EXPECT_TRUE(ParseHoursInterval("22:00-24:00").ok());
  for (std::string_view bad : {"17:00-09:00", "09:00-09:00", "9:00-17:00", "09:60-10:00",
                               "24:30-24:40", "nonsense", "22:00-02:00"}) {
    auto r = ParseHoursInterval(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_hours");
  }
}

TEST(OfficeHoursRules, ValidationSortsAndRefusesOverlapsTooManyBadZonesAndText) {
  ZoneLoader zones = SystemZoneLoader();
  OfficeHours h = Hours("Asia/Tehran");
  h.week[1] = {{13 * 60, 17 * 60}, {9 * 60, 13 * 60}};
  h.holidays = {"2026-12-31", "2026-03-21", "2026-12-31"};
  h.away_text = "  ما الان بسته‌ایم  ";
  auto ok = ValidateOfficeHours(h, zones);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->week[1][0].start, 9 * 60) << "sorted";
  EXPECT_EQ(ok->holidays, (std::vector<std::string>{"2026-03-21", "2026-12-31"}));
  EXPECT_EQ(ok->away_text, "ما الان بسته‌ایم");

  OfficeHours overlap = h;
  overlap.week[2] = {{9 * 60, 12 * 60}, {11 * 60, 13 * 60}};
  auto r = ValidateOfficeHours(overlap, zones);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_hours");
  EXPECT_NE(r.error().message.find("overlap"), std::string::npos);

  OfficeHours many = h;
  for (int k = 0; k < 7; ++k) many.week[3].push_back({k * 60, k * 60 + 30});
  EXPECT_EQ(ValidateOfficeHours(many, zones).error().code, "invalid_hours");

  OfficeHours inverted = h;
  inverted.week[4] = {{600, 500}};
  EXPECT_EQ(ValidateOfficeHours(inverted, zones).error().code, "invalid_hours");

  OfficeHours zone = h;
  zone.time_zone = "Europe/Atlantis";
  EXPECT_EQ(ValidateOfficeHours(zone, zones).error().code, "invalid_time_zone");

  OfficeHours day = h;
  day.holidays = {"2026-02-30"};
  EXPECT_EQ(ValidateOfficeHours(day, zones).error().code, "invalid_hours");

  OfficeHours control = h;
  control.away_text = "closed\x07";
  EXPECT_EQ(ValidateOfficeHours(control, zones).error().code, "invalid_text");
  OfficeHours longer = h;
  longer.away_text = std::string(501, 'a');
  EXPECT_EQ(ValidateOfficeHours(longer, zones).error().code, "invalid_text");
}

TEST(OfficeHoursRules, TheStoredFormRoundTrips) {
  OfficeHours h = Hours("Europe/Berlin");
  h.week[0] = {{540, 720}, {780, 1020}};
  h.week[6] = {{0, 1440}};
  h.holidays = {"2026-12-25", "2026-12-26"};
  h.away_text = "We're closed";
  OfficeHoursRow row = EncodeOfficeHours(7, h);
  EXPECT_EQ(row.week, "09:00-12:00,13:00-17:00;;;;;;00:00-24:00");
  EXPECT_EQ(row.holidays, "2026-12-25,2026-12-26");
  auto back = DecodeOfficeHours(row);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->week, h.week);
  EXPECT_EQ(back->holidays, h.holidays);
  row.week = "garbage";
  EXPECT_FALSE(DecodeOfficeHours(row).ok());
}

// One site, "k1" (id 7); everything else is not found.
struct OneSite : SiteRepo {
  Error Nope() { return Error{ErrorKind::kNotFound, "not_found", "No such site."}; }
  Result<std::vector<Site>> List() override { return Nope(); }
  Result<Site> Find(const std::string& key) override {
    if (key != "k1") return Nope();
    Site s;
    s.id = 7;
    s.key = "k1";
    return s;
  }
  Result<Site> Create(const NewSite&, const SitePatch&, const Actor&) override { return Nope(); }
  Result<Site> Update(const std::string&, const SitePatch&, const Actor&) override {
    return Nope();
  }
  Status Remove(const std::string&, const Actor&) override { return Nope(); }
  Result<Site> Change(const std::string&, const SiteChange&, const Actor&) override {
    return Nope();
  }
  Result<Site> AddOrigin(const std::string&, const std::string&, const Actor&) override {
    return Nope();
  }
  Result<Site> RemoveOrigin(const std::string&, const std::string&, const Actor&) override {
    return Nope();
  }
  Result<Site> RegenerateKey(const std::string&, const std::string&, const Actor&) override {
    return Nope();
  }
};

struct MemoryHours : OfficeHoursRepo {
  Result<std::optional<OfficeHoursRow>> Get(std::uint64_t id) override {
    if (row && row->site_id == id) return row;
    return std::optional<OfficeHoursRow>();
  }
  Result<std::vector<OfficeHoursRow>> All() override {
    return row ? std::vector<OfficeHoursRow>{*row} : std::vector<OfficeHoursRow>{};
  }
  Status Put(const OfficeHoursRow& r, const std::string& key, const Actor&) override {
    row = r;
    audited_key = key;
    return Ok{};
  }
  Status Remove(std::uint64_t, const std::string&, const Actor&) override {
    row.reset();
    return Ok{};
  }
  std::optional<OfficeHoursRow> row;
  std::string audited_key;
};

TEST(OfficeHoursServiceTest, SetGetClearWithTheInjectedClockDecidingOpenNow) {
  OneSite sites;
  MemoryHours repo;
  std::int64_t now = At(2026, 12, 7, 10, 0);  // Monday 11:00 in Berlin
  int changes = 0;
  OfficeHoursService service(
      sites, repo, SystemZoneLoader(),
      [&now] { return std::chrono::system_clock::time_point(std::chrono::seconds(now)); },
      [&changes] { ++changes; });
  auto none = service.Get("k1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->hours.has_value());
  EXPECT_TRUE(none->open_now) << "no hours: always open";

  OfficeHours h = Hours("Europe/Berlin");
  h.week[0] = {{9 * 60, 17 * 60}};
  h.away_text = "Back tomorrow";
  auto set = service.Set("k1", h, Actor{"ann"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_TRUE(set->open_now);
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(repo.audited_key, "k1");
  ASSERT_TRUE(repo.row);
  EXPECT_EQ(repo.row->site_id, 7u);

  now = At(2026, 12, 7, 16, 0);  // 17:00 in Berlin: closed
  auto later = service.Get("k1");
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->open_now);
  EXPECT_EQ(later->hours->away_text, "Back tomorrow");

  OfficeHours bad = h;
  bad.time_zone = "Nowhere/City";
  auto refused = service.Set("k1", bad, Actor{"ann"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_time_zone");
  EXPECT_EQ(repo.row->time_zone, "Europe/Berlin") << "a refused change stores nothing";
  EXPECT_EQ(changes, 1);

  EXPECT_EQ(service.Get("nope").error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(service.Clear("k1", Actor{"ann"}).ok());
  EXPECT_FALSE(repo.row.has_value());
  EXPECT_EQ(changes, 2);
}

}  // namespace
}  // namespace edgechat::worker
