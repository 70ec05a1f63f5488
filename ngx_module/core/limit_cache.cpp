#include "core/limit_cache.hpp"

#include <algorithm>

namespace edgechat::core {

std::uint32_t LeaseWanted(const GcraParams& params, const LeasePolicy& policy) {
  std::int64_t emission = std::max<std::int64_t>(params.emission_ms, 1);
  std::int64_t capacity = params.tolerance_ms / emission + 1;
  std::int64_t share = capacity / std::max<std::uint32_t>(policy.capacity_share, 1);
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(share, 1, std::max<std::uint32_t>(policy.max_lease, 1)));
}

std::uint32_t LeaseGrant(std::int64_t stored_tat_ms, std::int64_t now_ms, const GcraParams& params,
                         std::uint32_t wanted) {
  std::int64_t emission = std::max<std::int64_t>(params.emission_ms, 1);
  std::int64_t ahead = std::max(stored_tat_ms, now_ms) - now_ms;
  if (ahead > params.tolerance_ms) return 0;
  std::int64_t available = (params.tolerance_ms - ahead) / emission + 1;
  std::int64_t grant = std::max<std::int64_t>(1, available / 2);
  return static_cast<std::uint32_t>(
      std::min<std::int64_t>(grant, std::max<std::uint32_t>(wanted, 1)));
}

LimitCache::LimitCache(LeasePolicy policy, std::size_t max_entries)
    : policy_(policy), max_entries_(std::max<std::size_t>(max_entries, 4)) {}

bool LimitCache::HasCredit(const Entry& entry, std::int64_t now_ms) const {
  return entry.credits > 0 && entry.credits_until_ms > now_ms;
}

bool LimitCache::LeaseOut(const Entry& entry, std::int64_t now_ms) const {
  return entry.lease_asked_ms >= 0 && now_ms - entry.lease_asked_ms < policy_.ask_timeout_ms;
}

void LimitCache::MakeRoom(std::int64_t now_ms) {
  std::erase_if(entries_, [&](const auto& item) {
    const Entry& entry = item.second;
    return !HasCredit(entry, now_ms) && entry.denied_until_ms <= now_ms && !LeaseOut(entry, now_ms);
  });
  // Still mostly full (a flood of distinct keys): start over. Forgetting credits only makes the
  // limit stricter and forgetting denials only sends those keys to Redis again, and starting over
  // keeps this amortised O(1) per key.
  if (entries_.size() * 4 >= max_entries_ * 3) entries_.clear();
}

std::uint32_t LimitCache::LeaseSize(const Entry* entry, const GcraParams& params) const {
  std::uint32_t most = LeaseWanted(params, policy_);
  std::uint32_t size = entry != nullptr && entry->lease != 0 ? entry->lease : policy_.first_lease;
  return std::clamp<std::uint32_t>(size, 1, most);
}

LimitCache::Entry* LimitCache::Slot(const std::string& key, std::int64_t now_ms) {
  auto found = entries_.find(key);
  if (found != entries_.end()) return &found->second;
  if (entries_.size() >= max_entries_) MakeRoom(now_ms);
  return &entries_[key];
}

LimitCache::Plan LimitCache::Check(const std::vector<LimitKey>& keys, std::int64_t now_ms) {
  Plan plan;
  plan.generation = generation_;
  std::vector<Entry*> found(keys.size(), nullptr);
  bool all_have_credit = true;
  for (std::size_t i = 0; i < keys.size(); i++) {
    auto it = entries_.find(keys[i].key);
    if (it == entries_.end()) {
      all_have_credit = false;
      continue;
    }
    Entry& entry = it->second;
    found[i] = &entry;
    if (entry.credits > 0 && entry.credits_until_ms <= now_ms) {
      // Credits expired unspent: this key is quieter than its lease.
      entry.credits = 0;
      entry.lease = std::max<std::uint32_t>(LeaseSize(&entry, keys[i].params) / 2, 1);
    }
    if (entry.denied_until_ms > now_ms) {
      plan.outcome = Outcome::kDenied;
      plan.retry_after_ms = std::max(plan.retry_after_ms, entry.denied_until_ms - now_ms);
    }
    if (!HasCredit(entry, now_ms)) all_have_credit = false;
  }
  if (plan.outcome == Outcome::kDenied) return plan;

  if (all_have_credit) {
    plan.outcome = Outcome::kAllowed;
    for (std::size_t i = 0; i < keys.size(); i++) {
      Entry& entry = *found[i];
      entry.credits--;
      std::uint32_t wanted = LeaseSize(&entry, keys[i].params);
      // Top up ahead of time, so busy keys rarely find themselves empty and wait for Redis.
      if (wanted > 1 && entry.credits * 2 <= wanted && !LeaseOut(entry, now_ms)) {
        entry.lease_asked_ms = now_ms;
        entry.grown = false;
        plan.refill.push_back({i, wanted, true});
      }
    }
    return plan;
  }

  plan.outcome = Outcome::kAsk;
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < keys.size(); i++) {
    Entry* entry = found[i];
    if (entry != nullptr && HasCredit(*entry, now_ms)) {
      entry->credits--;
      plan.reserved.push_back(i);
    } else {
      missing.push_back(i);
    }
  }
  // Slot() may evict entries: look each key up again from here on.
  for (std::size_t i : missing) {
    Ask ask{i, 1, false};
    if (LeaseWanted(keys[i].params, policy_) > 1) {
      Entry* entry = Slot(keys[i].key, now_ms);
      std::uint32_t wanted = LeaseSize(entry, keys[i].params);
      if (!LeaseOut(*entry, now_ms)) {
        entry->lease_asked_ms = now_ms;
        entry->grown = false;
        ask = Ask{i, wanted, true};
      } else if (!entry->grown) {
        // Ran dry before the top-up came back: the next lease is twice as large. Requests
        // arriving meanwhile take a single credit each, so concurrent misses cannot pile up
        // credits beyond the bound.
        entry->grown = true;
        entry->lease = std::min(wanted * 2, LeaseWanted(keys[i].params, policy_));
      }
    }
    plan.ask.push_back(ask);
  }
  return plan;
}

void LimitCache::Granted(const LimitKey& key, std::uint32_t credits, bool spent_one, bool lease,
                         std::int64_t now_ms) {
  std::uint32_t keep = spent_one && credits > 0 ? credits - 1 : credits;
  auto it = entries_.find(key.key);
  if (it == entries_.end() && keep == 0) return;  // nothing worth remembering
  Entry* entry = it != entries_.end() ? &it->second : Slot(key.key, now_ms);
  if (lease) entry->lease_asked_ms = -1;
  if (keep == 0) return;
  if (!HasCredit(*entry, now_ms)) entry->credits = 0;
  entry->credits += keep;
  entry->credits_until_ms = now_ms + policy_.max_lifetime_ms;
  entry->denied_until_ms = 0;
}

void LimitCache::Denied(const std::string& key, std::int64_t retry_after_ms, bool lease,
                        std::int64_t now_ms) {
  Entry* entry = Slot(key, now_ms);
  if (lease) entry->lease_asked_ms = -1;
  entry->denied_until_ms = now_ms + std::max<std::int64_t>(retry_after_ms, 0);
}

void LimitCache::AskFailed(const std::string& key, bool lease) {
  if (!lease) return;
  auto it = entries_.find(key);
  if (it != entries_.end()) it->second.lease_asked_ms = -1;
}

void LimitCache::Refund(const std::string& key, std::int64_t now_ms) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.credits_until_ms > now_ms) it->second.credits++;
}

}  // namespace edgechat::core
