// Messages: a guest's history, posts and reactions (behind ChatStore), and the newest messages
// across conversations as edgechatctl lists them. An agent's reply is the conversation
// repository's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "shared/result.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace sql {
class ResultSet;
}  // namespace sql

namespace edgechat::worker {

// Reads the current row of a messages query (columns as selected by kMessageColumns).
Message MessageFromRow(sql::ResultSet& rs);
inline constexpr const char* kMessageColumns =
    "m.id, m.conversation_id, m.author, m.body, m.client_id, m.created_at";

// Mails a guest's messages cause (sql/009 outbox): off unless the worker sends mail.
struct GuestMailOptions {
  bool enabled = false;   // queue a mail to each subscribed admin for a new conversation
  std::string panel_url;  // the link those mails carry ("" for none)
};

// A guest's messages on MySQL.
class MysqlGuestMessageRepo {
 public:
  explicit MysqlGuestMessageRepo(ConnectionPool& pool, WallClock clock = SystemClock(),
                                 GuestMailOptions mail = {})
      : pool_(pool), clock_(std::move(clock)), mail_(std::move(mail)) {}

  // The ChatStore operations of the same names (store/chat_store.hpp says what they do).
  Result<History> LoadHistory(const Guest& guest, const HistoryPage& page);
  Result<PostedMessage> PostGuestMessage(const Site& site, const Guest& guest,
                                         const std::string& text,
                                         const std::optional<std::string>& client_id);
  Result<ReactionChange> SetReaction(const Guest& guest, std::uint64_t message_id,
                                     const std::optional<std::string>& value);
  Result<GuestRead> MarkGuestRead(const Guest& guest, std::uint64_t message_id);

 private:
  void EnqueueNewConversationMails(DbConnection& c, const Site& site, std::uint64_t conversation_id,
                                   const std::string& text);

  ConnectionPool& pool_;
  WallClock clock_;
  GuestMailOptions mail_;
};

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
// site key is Error{kNotFound, "not_found"}.
Result<std::vector<MessageListing>> ListRecentMessages(ConnectionPool& pool,
                                                       const std::optional<std::string>& site_key,
                                                       unsigned limit);

}  // namespace edgechat::worker
