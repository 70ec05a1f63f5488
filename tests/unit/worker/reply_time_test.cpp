// The expected reply time (service/reply_time.hpp): medians, office hours, the sample threshold
// and the cache, with an injected clock, zone and sample source.
#include <gtest/gtest.h>

#include <chrono>

#include "service/reply_time.hpp"

namespace edgechat::worker {
namespace {

std::int64_t At(int y, int mo, int d, int h, int mi, int s = 0) {
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

ReplySample Sample(std::int64_t asked_s, std::optional<std::int64_t> wait_s,
                   std::uint64_t site = 1) {
  ReplySample s{site, asked_s * 1000, std::nullopt};
  if (wait_s) s.answered_ms = (asked_s + *wait_s) * 1000 + 250;
  return s;
}

struct FakeSamples : ReplySampleSource {
  Result<std::vector<ReplySample>> Samples(std::optional<std::uint64_t> site_id,
                                           std::int64_t since) override {
    ++reads;
    last_since = since;
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    std::vector<ReplySample> out;
    for (const auto& s : samples) {
      if ((!site_id || s.site_id == *site_id) && s.asked_ms / 1000 >= since) out.push_back(s);
    }
    return out;
  }
  std::vector<ReplySample> samples;
  int reads = 0;
  std::int64_t last_since = 0;
  bool down = false;
};

struct FakeHours : OfficeHoursRepo {
  Result<std::optional<OfficeHoursRow>> Get(std::uint64_t site_id) override {
    for (const auto& r : rows)
      if (r.site_id == site_id) return std::optional<OfficeHoursRow>(r);
    return std::optional<OfficeHoursRow>();
  }
  Result<std::vector<OfficeHoursRow>> All() override { return rows; }
  Status Put(const OfficeHoursRow&, const std::string&, const Actor&) override { return Ok{}; }
  Status Remove(std::uint64_t, const std::string&, const Actor&) override { return Ok{}; }
  std::vector<OfficeHoursRow> rows;
};

OfficeHours NineToFiveWeekdays(std::string zone) {
  OfficeHours h;
  h.time_zone = std::move(zone);
  for (int d = 0; d < 5; ++d) h.week[static_cast<std::size_t>(d)] = {{9 * 60, 17 * 60}};
  return h;
}

TEST(ReplyTime, MedianOfOddAndEvenCounts) {
  std::vector<ReplySample> s;
  for (std::int64_t w : {600, 60, 300, 120, 3600}) s.push_back(Sample(1'000'000, w));
  ExpectedReply r = MedianReply(s, std::nullopt, 5);
  EXPECT_EQ(r.samples, 5u);
  EXPECT_EQ(r.seconds, 300);
  s.push_back(Sample(1'000'000, 400));
  EXPECT_EQ(MedianReply(s, std::nullopt, 5).seconds, 350) << "(300 + 400) / 2";
}

TEST(ReplyTime, TooFewAnsweredConversationsIsUnknown) {
  std::vector<ReplySample> s;
  for (std::int64_t w : {60, 120, 180, 240}) s.push_back(Sample(1'000'000, w));
  s.push_back(Sample(1'000'000, std::nullopt));  // unanswered: not a sample
  ExpectedReply r = MedianReply(s, std::nullopt, 5);
  EXPECT_EQ(r.samples, 4u);
  EXPECT_FALSE(r.seconds.has_value());
  s.push_back(Sample(1'000'000, 300));
  EXPECT_EQ(MedianReply(s, std::nullopt, 5).seconds, 180);
  EXPECT_FALSE(MedianReply({}, std::nullopt, 0).seconds.has_value()) << "nothing is unknown";
}

TEST(ReplyTime, OnlyTimeWithinOfficeHoursCounts) {
  auto zone = LoadTimeZone("Asia/Tehran");  // UTC+3:30, no DST since 2022
  ASSERT_TRUE(zone.ok());
  const OfficeHours h = NineToFiveWeekdays("Asia/Tehran");
  // Monday 2026-12-07 16:50 Tehran (13:20 UTC) asked, Tuesday 09:15 Tehran answered:
  // 10 minutes before closing + 15 after opening.
  const std::int64_t asked = At(2026, 12, 7, 13, 20);
  const std::int64_t answered = At(2026, 12, 8, 5, 45);
  EXPECT_EQ(OpenSecondsBetween(h, *zone, asked, answered), 25 * 60);
  // Partial minutes at both ends.
  EXPECT_EQ(OpenSecondsBetween(h, *zone, asked + 30, asked + 90), 60);
  EXPECT_EQ(OpenSecondsBetween(h, *zone, answered, asked), 0);
  // Friday 17:00 to Monday 09:00 Tehran: nothing open (the weekend).
  EXPECT_EQ(OpenSecondsBetween(h, *zone, At(2026, 12, 11, 13, 30), At(2026, 12, 14, 5, 30)), 0);
  // A holiday is closed all day.
  OfficeHours holiday = h;
  holiday.holidays = {"2026-12-08"};
  EXPECT_EQ(OpenSecondsBetween(holiday, *zone, asked, answered), 10 * 60);

  std::vector<ReplySample> s;
  for (int i = 0; i < 5; ++i) s.push_back(Sample(asked, answered - asked));
  std::optional<std::pair<OfficeHours, TimeZone>> hours(std::make_pair(h, *zone));
  EXPECT_EQ(MedianReply(s, hours, 5).seconds, 25 * 60);
  EXPECT_EQ(MedianReply(s, std::nullopt, 5).seconds, answered - asked) << "no hours: wall time";
}

TEST(ReplyTime, TheServiceCachesPerSiteForItsTtlAndReadsTheLast30Days) {
  FakeSamples samples;
  FakeHours hours;
  std::int64_t now = At(2026, 12, 7, 12, 0);
  for (int i = 0; i < 5; ++i) samples.samples.push_back(Sample(now - 3600, 120, 1));
  samples.samples.push_back(Sample(now - 31 * 86400, 5, 1));  // older than the window
  ReplyTimeService service(samples, hours, SystemZoneLoader(), [&] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(now));
  });
  auto r = service.ForSite(1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seconds, 120);
  EXPECT_EQ(r->samples, 5u);
  EXPECT_EQ(samples.last_since, now - 30 * 86400);
  samples.samples.push_back(Sample(now - 60, 3000, 1));
  EXPECT_EQ(service.ForSite(1)->seconds, 120) << "cached";
  EXPECT_EQ(samples.reads, 1);
  now += 600;
  samples.down = true;
  EXPECT_FALSE(service.ForSite(1).ok()) << "an outage is an error, not 'unknown'";
  samples.down = false;
  EXPECT_EQ(service.ForSite(1)->samples, 6u) << "re-read once the ttl passed";

  // With hours (UTC, 09-17 weekdays), AllSites groups by site; site 2 has too few.
  hours.rows = {EncodeOfficeHours(1, NineToFiveWeekdays("UTC"))};
  samples.samples = {};
  for (int i = 0; i < 5; ++i)
    samples.samples.push_back(Sample(At(2026, 12, 4, 16, 58), 3 * 86400, 1));  // Fri -> Mon
  samples.samples.push_back(Sample(now - 100, 50, 2));
  auto all = service.AllSites();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->at(1).seconds, 8 * 3600) << "Fri 16:58-17:00 and Mon 09:00-16:58";
  EXPECT_FALSE(all->at(2).seconds.has_value());
  EXPECT_EQ(all->at(2).samples, 1u);
}

}  // namespace
}  // namespace edgechat::worker
