// Guests and their stream tickets on MySQL: what identifies a visitor. Guest tokens and tickets
// are stored as hashes only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.hpp"
#include "shared/result.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

class MysqlGuestRepo {
 public:
  explicit MysqlGuestRepo(ConnectionPool& pool, WallClock clock = SystemClock())
      : pool_(pool), clock_(std::move(clock)) {}

  // The ChatStore operations of the same names (store/chat_store.hpp says what they do).
  Result<std::string> CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                  const std::string& token_hash, unsigned ttl_days);
  Result<std::optional<Guest>> FindGuest(std::uint64_t site_id, const std::string& token_hash);
  Result<std::optional<SiteGuest>> FindSiteAndGuest(std::string_view site_key,
                                                    const std::string& token_hash);
  Status CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                            unsigned ttl_seconds);
  Result<std::optional<SiteGuest>> RedeemStreamTicket(std::string_view site_key,
                                                      const std::string& ticket_hash);
  Result<VerifiedGuest> SignInGuest(const VerifiedGuestInput& input);

 private:
  ConnectionPool& pool_;
  WallClock clock_;
};

}  // namespace edgechat::worker
