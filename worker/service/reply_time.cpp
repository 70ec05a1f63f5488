#include "service/reply_time.hpp"

#include <algorithm>

namespace edgechat::worker {

std::int64_t OpenSecondsBetween(const OfficeHours& hours, const TimeZone& zone, std::int64_t from_s,
                                std::int64_t to_s) {
  std::int64_t open = 0;
  for (std::int64_t t = from_s; t < to_s;) {
    // The start of the next whole minute (floor division for times before the epoch).
    const std::int64_t minute = t >= 0 ? t / 60 : -((-t + 59) / 60);
    const std::int64_t next = std::min(to_s, (minute + 1) * 60);
    if (IsOpenAt(hours, zone, t)) open += next - t;
    t = next;
  }
  return open;
}

ExpectedReply MedianReply(const std::vector<ReplySample>& samples,
                          const std::optional<std::pair<OfficeHours, TimeZone>>& hours,
                          std::size_t min_samples) {
  std::vector<std::int64_t> waits;
  for (const auto& s : samples) {
    if (!s.answered_ms || *s.answered_ms < s.asked_ms) continue;
    const std::int64_t from = s.asked_ms / 1000;
    const std::int64_t to = *s.answered_ms / 1000;
    waits.push_back(hours ? OpenSecondsBetween(hours->first, hours->second, from, to) : to - from);
  }
  ExpectedReply out;
  out.samples = waits.size();
  if (waits.empty() || waits.size() < min_samples) return out;
  std::sort(waits.begin(), waits.end());
  const std::size_t mid = waits.size() / 2;
  out.seconds = waits.size() % 2 == 1 ? waits[mid] : (waits[mid - 1] + waits[mid]) / 2;
  return out;
}

ReplyTimeService::ReplyTimeService(ReplySampleSource& samples, OfficeHoursRepo& hours,
                                   ZoneLoader zones, WallClock clock, ReplyTimeOptions options)
    : samples_(samples),
      hours_(hours),
      zones_(std::move(zones)),
      clock_(std::move(clock)),
      options_(options) {}

std::int64_t ReplyTimeService::NowS() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
}

Result<ReplyTimeService::SiteHoursMap> ReplyTimeService::LoadHours(
    std::optional<std::uint64_t> site_id) {
  std::vector<OfficeHoursRow> rows;
  if (site_id) {
    EC_TRY(row, hours_.Get(*site_id));
    if (row) rows.push_back(std::move(*row));
  } else {
    EC_TRY_ASSIGN(rows, hours_.All());
  }
  SiteHoursMap out;
  for (const auto& row : rows) {
    // Hours that do not decode count as none (the presence watch logs them).
    auto hours = DecodeOfficeHours(row);
    if (!hours) continue;
    auto zone = zones_(hours->time_zone);
    if (!zone) continue;
    out.emplace(row.site_id, std::make_pair(std::move(*hours), std::move(*zone)));
  }
  return out;
}

Result<ExpectedReply> ReplyTimeService::ForSite(std::uint64_t site_id) {
  const std::int64_t now = NowS();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(site_id);
    if (it != cache_.end() && now - it->second.at_s < options_.ttl.count()) return it->second.value;
  }
  EC_TRY(samples, samples_.Samples(site_id, now - options_.window.count()));
  EC_TRY(hours, LoadHours(site_id));
  std::optional<std::pair<OfficeHours, TimeZone>> site_hours;
  if (auto it = hours.find(site_id); it != hours.end()) site_hours = it->second;
  ExpectedReply value = MedianReply(samples, site_hours, options_.min_samples);
  std::lock_guard lock(mu_);
  cache_[site_id] = Cached{value, now};
  return value;
}

Result<std::map<std::uint64_t, ExpectedReply>> ReplyTimeService::AllSites() {
  const std::int64_t now = NowS();
  EC_TRY(samples, samples_.Samples(std::nullopt, now - options_.window.count()));
  EC_TRY(hours, LoadHours(std::nullopt));
  std::map<std::uint64_t, std::vector<ReplySample>> by_site;
  for (auto& s : samples) by_site[s.site_id].push_back(s);
  std::map<std::uint64_t, ExpectedReply> out;
  for (const auto& [site, list] : by_site) {
    std::optional<std::pair<OfficeHours, TimeZone>> site_hours;
    if (auto it = hours.find(site); it != hours.end()) site_hours = it->second;
    out[site] = MedianReply(list, site_hours, options_.min_samples);
  }
  std::lock_guard lock(mu_);
  cache_.clear();  // sites without samples any more must not keep an old value
  for (const auto& [site, value] : out) cache_[site] = Cached{value, now};
  return out;
}

}  // namespace edgechat::worker
