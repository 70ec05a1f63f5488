// ChatStore on MySQL/MariaDB through the connection pool. Every query is prepared.
#pragma once

namespace sql {
class ResultSet;
}  // namespace sql

#include "store/chat_store.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

class MysqlChatStore : public ChatStore {
 public:
  explicit MysqlChatStore(ConnectionPool& pool) : pool_(pool) {}

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
};

// Reads the current row of a sites query (columns as selected by kSiteColumns).
Site SiteFromRow(sql::ResultSet& rs);
// Every site with its allowed origins, in id order, on the caller's connection (so a caller in a
// transaction reads them from its snapshot).
std::vector<Site> LoadSitesWithOrigins(DbConnection& c);
inline constexpr const char* kSiteColumns =
    "id, site_key, name, title, primary_color, locked, locked_message, locale, is_main, "
    "rate_limit_messages, rate_limit_window_s, rate_limit_burst, rate_limit_message, created_at";
// The same columns of `sites s`, for queries that join it.
inline constexpr const char* kSiteColumnsOfS =
    "s.id, s.site_key, s.name, s.title, s.primary_color, s.locked, s.locked_message, s.locale, "
    "s.is_main, s.rate_limit_messages, s.rate_limit_window_s, s.rate_limit_burst, "
    "s.rate_limit_message, s.created_at";

// Reads the current row of a messages query (columns as selected by kMessageColumns).
Message MessageFromRow(sql::ResultSet& rs);
inline constexpr const char* kMessageColumns =
    "m.id, m.conversation_id, m.author, m.body, m.client_id, m.created_at";

}  // namespace edgechat::worker
