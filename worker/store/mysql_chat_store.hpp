// ChatStore on MySQL/MariaDB through the connection pool. Every query is prepared.
#pragma once

namespace sql {
class ResultSet;
}  // namespace sql

#include "store/chat_store.hpp"
#include "store/event_repo.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

class MysqlChatStore : public ChatStore {
 public:
  explicit MysqlChatStore(ConnectionPool& pool) : pool_(pool), events_(pool) {}

  Result<std::optional<Site>> FindSiteByKey(std::string_view key) override;
  Result<std::string> CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                  const std::string& token_hash, unsigned ttl_days) override;
  Result<std::optional<Guest>> FindGuest(std::uint64_t site_id,
                                         const std::string& token_hash) override;
  Result<std::optional<SiteGuest>> FindSiteAndGuest(std::string_view site_key,
                                                    const std::string& token_hash) override;
  Result<History> LoadHistory(const Guest& guest, const HistoryPage& page) override;
  Result<PostedMessage> PostGuestMessage(const Site& site, const Guest& guest,
                                         const std::string& text,
                                         const std::optional<std::string>& client_id) override;
  Result<ReactionChange> SetReaction(const Guest& guest, std::uint64_t message_id,
                                     const std::optional<std::string>& value) override;
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t guest_id, std::uint64_t after_id,
                                               unsigned limit) override;
  Result<std::uint64_t> LastEventId(std::uint64_t guest_id) override;
  Result<std::vector<NewestEvent>> NewestEventIds(std::span<const std::uint64_t> guests) override;
  Status CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                            unsigned ttl_seconds) override;
  Result<std::optional<SiteGuest>> RedeemStreamTicket(std::string_view site_key,
                                                      const std::string& ticket_hash) override;

 private:
  ConnectionPool& pool_;
  MysqlGuestEventLog events_;  // the event reads live in the event repository
};

// Reads the current row of a messages query (columns as selected by kMessageColumns).
Message MessageFromRow(sql::ResultSet& rs);
inline constexpr const char* kMessageColumns =
    "m.id, m.conversation_id, m.author, m.body, m.client_id, m.created_at";

}  // namespace edgechat::worker
