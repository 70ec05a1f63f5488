// ChatStore on MySQL/MariaDB: the guest API's view, composed of the repositories that hold the
// SQL (sites, guests, messages, events). Every query is prepared.
#pragma once

#include "store/chat_store.hpp"
#include "store/event_repo.hpp"
#include "store/guest_repo.hpp"
#include "store/message_repo.hpp"
#include "store/pool.hpp"
#include "store/site_repo.hpp"
#include "store/visitor_context_repo.hpp"

namespace edgechat::worker {

class MysqlChatStore : public ChatStore {
 public:
  explicit MysqlChatStore(ConnectionPool& pool, GuestMailOptions mail = {})
      : pool_(pool),
        guests_(pool),
        messages_(pool, SystemClock(), std::move(mail)),
        events_(pool) {}

  Result<std::optional<Site>> FindSiteByKey(std::string_view key) override {
    return worker::FindSiteByKey(pool_, key);
  }
  Result<std::string> CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                  const std::string& token_hash, unsigned ttl_days) override {
    return guests_.CreateGuest(site_id, public_id, token_hash, ttl_days);
  }
  Result<std::optional<Guest>> FindGuest(std::uint64_t site_id,
                                         const std::string& token_hash) override {
    return guests_.FindGuest(site_id, token_hash);
  }
  Result<std::optional<SiteGuest>> FindSiteAndGuest(std::string_view site_key,
                                                    const std::string& token_hash) override {
    return guests_.FindSiteAndGuest(site_key, token_hash);
  }
  Result<VerifiedGuest> SignInGuest(const VerifiedGuestInput& input) override {
    return guests_.SignInGuest(input);
  }
  Result<History> LoadHistory(const Guest& guest, const HistoryPage& page) override {
    return messages_.LoadHistory(guest, page);
  }
  Result<PostedMessage> PostGuestMessage(const Site& site, const Guest& guest,
                                         const std::string& text,
                                         const std::optional<std::string>& client_id) override {
    return messages_.PostGuestMessage(site, guest, text, client_id);
  }
  Status SaveVisitorContext(const Guest& guest, const VisitorContext& context) override {
    return worker::SaveVisitorContext(pool_, guest.id, context);
  }
  Result<ReactionChange> SetReaction(const Guest& guest, std::uint64_t message_id,
                                     const std::optional<std::string>& value) override {
    return messages_.SetReaction(guest, message_id, value);
  }
  Result<GuestRead> MarkGuestRead(const Guest& guest, std::uint64_t message_id) override {
    return messages_.MarkGuestRead(guest, message_id);
  }
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t guest_id, std::uint64_t after_id,
                                               unsigned limit) override {
    return events_.EventsAfter(guest_id, after_id, limit);
  }
  Result<std::uint64_t> LastEventId(std::uint64_t guest_id) override {
    return events_.LastEventId(guest_id);
  }
  Result<std::vector<NewestEvent>> NewestEventIds(std::span<const std::uint64_t> guests) override {
    return events_.NewestEventIds(guests);
  }
  Status CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                            unsigned ttl_seconds) override {
    return guests_.CreateStreamTicket(guest_id, ticket_hash, ttl_seconds);
  }
  Result<std::optional<SiteGuest>> RedeemStreamTicket(std::string_view site_key,
                                                      const std::string& ticket_hash) override {
    return guests_.RedeemStreamTicket(site_key, ticket_hash);
  }

 private:
  ConnectionPool& pool_;
  MysqlGuestRepo guests_;
  MysqlGuestMessageRepo messages_;
  MysqlGuestEventLog events_;
};

}  // namespace edgechat::worker
