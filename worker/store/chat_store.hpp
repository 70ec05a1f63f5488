// What the external API needs from storage. An interface so API tests can use a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "store/models.hpp"

namespace edgechat::worker {

class ChatStore {
 public:
  virtual ~ChatStore() = default;

  virtual Result<std::optional<Site>> FindSiteByKey(std::string_view key) = 0;
  // Stores a guest whose token hashes to `token_hash`; returns the expiry (ISO-8601).
  virtual Result<std::string> CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                          const std::string& token_hash, unsigned ttl_days) = 0;
  // The unexpired guest of `site_id` with this token hash, if any.
  virtual Result<std::optional<Guest>> FindGuest(std::uint64_t site_id,
                                                 const std::string& token_hash) = 0;
  virtual Result<History> LoadHistory(const Guest& guest) = 0;
  // Appends a guest message (creating the conversation on first use) in one transaction;
  // a repeated clientId returns the earlier message with created = false.
  virtual Result<PostedMessage> PostGuestMessage(const Site& site, const Guest& guest,
                                                 const std::string& text,
                                                 const std::optional<std::string>& client_id) = 0;
};

}  // namespace edgechat::worker
