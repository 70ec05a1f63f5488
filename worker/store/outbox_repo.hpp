// The outbox (sql/009): deliveries written in the same transaction as the event that causes them,
// delivered later by a sender of their channel ("mail" today; webhooks will join). A sender claims
// due rows with a lease (FOR UPDATE SKIP LOCKED, then claimed_by and lease_until), so two workers
// never hold the same row; a row whose lease ran out (its worker died mid-send) is due again.
// Times are the database's (UTC_TIMESTAMP), so workers with skewed clocks agree on leases.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct OutboxItem {
  std::uint64_t id = 0;
  std::string channel;
  std::string idempotency_key;
  std::string payload;
  unsigned attempts = 0;  // including the one this claim starts
  // Time since the row was queued (or last sent again, outbox.resent_at): a channel that retries
  // for a fixed span (webhooks: a day) gives up when the next attempt would fall past it.
  std::chrono::milliseconds age{0};
};

// Adds a delivery inside the caller's transaction; a second one with the same channel and key is
// ignored (returns false), so an event's retry never queues its mail twice.
bool EnqueueOutbox(DbConnection& c, const std::string& channel, const std::string& key,
                   const std::string& payload);

// Per-admin mail preferences (sql/009 admin_mail_preferences).
struct MailPreferences {
  std::uint64_t admin_id = 0;
  std::string username;
  std::string email;  // "" = no mail
  std::string locale = "en";
  bool new_conversation = true;
  unsigned unanswered_minutes = 0;  // 0 = off
};

// The admins who want a mail for a new conversation (enabled, with an email), inside `c`.
std::vector<MailPreferences> NewConversationRecipients(DbConnection& c);

// Reads and writes preferences (the service layer's repository).
class MailPreferencesRepo {
 public:
  virtual ~MailPreferencesRepo() = default;
  // The admin's preferences (defaults, email "", when none stored); kNotFound for no such admin.
  virtual Result<MailPreferences> Get(const std::string& username) = 0;
  virtual Status Put(const MailPreferences& prefs) = 0;  // admin_id set by Get
};

class MysqlMailPreferencesRepo : public MailPreferencesRepo {
 public:
  explicit MysqlMailPreferencesRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<MailPreferences> Get(const std::string& username) override;
  Status Put(const MailPreferences& prefs) override;

 private:
  ConnectionPool& pool_;
};

// What a sender needs of the outbox (MysqlOutbox; fakes in unit tests).
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  virtual Result<std::vector<OutboxItem>> Claim(const std::string& channel,
                                                const std::string& owner, unsigned limit,
                                                std::chrono::milliseconds lease) = 0;
  virtual Status MarkDelivered(std::uint64_t id) = 0;
  virtual Status MarkFailed(std::uint64_t id, const std::string& error,
                            std::chrono::milliseconds retry_in, bool give_up) = 0;
};

class MysqlOutbox : public OutboxStore {
 public:
  explicit MysqlOutbox(ConnectionPool& pool) : pool_(pool) {}

  // Claims at most `limit` due rows of `channel` for `owner` until now + `lease`, oldest first.
  // Rows another sender holds (locked or leased) are skipped, never waited for. A row with an
  // ordering_key (webhooks: endpoint and conversation) is claimed only when no earlier row of
  // the same channel and key is still pending (neither delivered nor given up): in order.
  Result<std::vector<OutboxItem>> Claim(const std::string& channel, const std::string& owner,
                                        unsigned limit, std::chrono::milliseconds lease) override;
  // The delivery succeeded: never tried again.
  Status MarkDelivered(std::uint64_t id) override;
  // The attempt failed: due again after `retry_in`, or given up (failed_at) when `give_up`.
  Status MarkFailed(std::uint64_t id, const std::string& error, std::chrono::milliseconds retry_in,
                    bool give_up) override;

  // Enqueues "unanswered" mails: for each admin with unanswered_minutes > 0 and an email, each
  // open conversation whose newest message is a guest's, older than that, with no later agent
  // reply, gets one mail per (message, admin) (idempotent by key). Returns how many were added.
  Result<unsigned> EnqueueUnanswered(const std::string& panel_url);

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
