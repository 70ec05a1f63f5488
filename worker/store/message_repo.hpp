// Messages across conversations, as edgechatctl lists them. (A guest's own messages are read and
// written through ChatStore; an agent's reply through the conversation repository.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct MessageListing {
  std::uint64_t id = 0;
  std::uint64_t conversation_id = 0;
  std::string site_key;
  std::string site_name;
  std::string source;
  std::string author;
  std::string text;
  std::optional<std::string> client_id;
  std::string created_at;
};

// The newest `limit` messages (of one site if `site_key` is set), newest first. An unknown
// site key is Error{"not_found"}.
Result<std::vector<MessageListing>> ListRecentMessages(ConnectionPool& pool,
                                                       const std::optional<std::string>& site_key,
                                                       unsigned limit);

}  // namespace edgechat::worker
