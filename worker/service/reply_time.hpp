// A site's expected reply time (docs/api.md, the `presence` event's "replySeconds"; the admin
// API's site "replyTime"): the median first-response time of its conversations whose first
// visitor message is in the last `window` (30 days), from that message to the first agent
// message after it. With office hours only time inside the hours counts (a message written at
// night is "asked" when the site opens). Unanswered conversations are not samples. Fewer than
// `min_samples` (5) answered ones: unknown, and the widget shows nothing.
//
// Cached per site for `ttl` (10 minutes): the widget's value is at most that old, and a busy
// site costs one indexed query per worker per ttl (bench/reply_time measures it).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "common/clock.hpp"
#include "service/office_hours.hpp"
#include "shared/result.hpp"
#include "store/office_hours_repo.hpp"
#include "store/reply_time_repo.hpp"

namespace edgechat::worker {

struct ReplyTimeOptions {
  std::chrono::seconds window{std::chrono::hours(24 * 30)};
  std::size_t min_samples = 5;
  std::chrono::seconds ttl{600};
};

struct ExpectedReply {
  std::optional<std::int64_t> seconds;  // none: unknown (too few samples)
  std::size_t samples = 0;              // answered conversations counted
  bool operator==(const ExpectedReply&) const = default;
};

// Seconds of [from_s, to_s) inside the office hours (each minute open or closed as IsOpenAt says
// at its start; partial minutes at both ends count in part). 0 when to_s <= from_s.
std::int64_t OpenSecondsBetween(const OfficeHours& hours, const TimeZone& zone, std::int64_t from_s,
                                std::int64_t to_s);

// The median of `samples`' first-response times (in whole seconds, the mean of the two middle
// ones for an even count, rounded down), within `hours` when given.
ExpectedReply MedianReply(const std::vector<ReplySample>& samples,
                          const std::optional<std::pair<OfficeHours, TimeZone>>& hours,
                          std::size_t min_samples);

class ReplyTimeService {
 public:
  ReplyTimeService(ReplySampleSource& samples, OfficeHoursRepo& hours, ZoneLoader zones,
                   WallClock clock, ReplyTimeOptions options = {});

  // One site's, from the cache when fresh.
  Result<ExpectedReply> ForSite(std::uint64_t site_id);
  // Every site with at least one sample, in one query (the presence watch); refreshes the cache.
  Result<std::map<std::uint64_t, ExpectedReply>> AllSites();

  const ReplyTimeOptions& options() const { return options_; }

 private:
  using SiteHoursMap = std::map<std::uint64_t, std::pair<OfficeHours, TimeZone>>;
  Result<SiteHoursMap> LoadHours(std::optional<std::uint64_t> site_id);
  std::int64_t NowS() const;
  ReplySampleSource& samples_;
  OfficeHoursRepo& hours_;
  ZoneLoader zones_;
  WallClock clock_;
  ReplyTimeOptions options_;
  std::mutex mu_;
  struct Cached {
    ExpectedReply value;
    std::int64_t at_s = 0;
  };
  std::map<std::uint64_t, Cached> cache_;
};

}  // namespace edgechat::worker
