#include "admin/login_throttle.hpp"

#include <algorithm>

namespace edgechat::worker {

unsigned LoginThrottle::TryAttempt(std::initializer_list<ThrottleKey> keys) {
  std::lock_guard lock(mu_);
  auto now = clock_();
  long long wait = 0;
  for (const auto& k : keys) {
    auto it = entries_.find(k.key);
    if (it == entries_.end() || now - it->second.first >= window_) continue;
    if (it->second.attempts < k.limit) continue;
    // Rounded up: a client that waits Retry-After seconds finds the window over.
    long long left =
        std::chrono::ceil<std::chrono::seconds>(it->second.first + window_ - now).count();
    wait = std::max(wait, std::max(1LL, left));
  }
  if (wait > 0) return static_cast<unsigned>(wait);
  if (entries_.size() + keys.size() > max_keys_) DropExpired(now);
  if (entries_.size() + keys.size() > max_keys_) entries_.clear();
  for (const auto& k : keys) {
    auto& entry = entries_[k.key];
    if (entry.attempts == 0 || now - entry.first >= window_) entry = Entry{0, now};
    ++entry.attempts;
  }
  return 0;
}

void LoginThrottle::Clear(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void LoginThrottle::Refund(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.attempts <= 1) {
    entries_.erase(it);
  } else {
    --it->second.attempts;
  }
}

void LoginThrottle::DropExpired(std::chrono::steady_clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.first >= window_; });
}

}  // namespace edgechat::worker
