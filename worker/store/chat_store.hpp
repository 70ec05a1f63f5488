// What the external API needs from storage. An interface so API tests can use a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/visitor_context.hpp"
#include "shared/result.hpp"
#include "store/event_repo.hpp"
#include "store/models.hpp"

namespace edgechat::worker {

// The guest events a stream reads are GuestEventLog (store/event_repo.hpp), the event hub's
// narrower view of the same store.
class ChatStore : public GuestEventLog {
 public:
  virtual ~ChatStore() = default;

  virtual Result<std::optional<Site>> FindSiteByKey(std::string_view key) = 0;
  // Stores a guest whose token hashes to `token_hash`; returns the expiry (ISO-8601).
  virtual Result<std::string> CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                          const std::string& token_hash, unsigned ttl_days) = 0;
  // The unexpired guest of `site_id` with this token hash, if any.
  virtual Result<std::optional<Guest>> FindGuest(std::uint64_t site_id,
                                                 const std::string& token_hash) = 0;
  // The site with this key and its unexpired guest with this token hash, in one lookup; nullopt
  // when either is missing (the caller asks FindSiteByKey to tell which). The default does two.
  virtual Result<std::optional<SiteGuest>> FindSiteAndGuest(std::string_view site_key,
                                                            const std::string& token_hash) {
    auto site = FindSiteByKey(site_key);
    if (!site) return site.error();
    if (!site->has_value()) return std::optional<SiteGuest>();
    auto guest = FindGuest((*site)->id, token_hash);
    if (!guest) return guest.error();
    if (!guest->has_value()) return std::optional<SiteGuest>();
    return std::optional<SiteGuest>(SiteGuest{std::move(**site), std::move(**guest)});
  }
  virtual Result<History> LoadHistory(const Guest& guest, const HistoryPage& page) = 0;
  // Appends a guest message (creating the conversation on first use) in one transaction;
  // a repeated clientId returns the earlier message with created = false.
  virtual Result<PostedMessage> PostGuestMessage(const Site& site, const Guest& guest,
                                                 const std::string& text,
                                                 const std::optional<std::string>& client_id) = 0;
  // Replaces the guest's visitor context (store/visitor_context_repo.hpp). The default (fakes)
  // keeps nothing.
  virtual Status SaveVisitorContext(const Guest& guest, const VisitorContext& context) {
    (void)guest;
    (void)context;
    return Ok{};
  }
  // Sets (or clears, with std::nullopt) the guest's reaction to a message of its conversation.
  // Error{kNotFound, "message_not_found"} if the message is not in that conversation,
  // Error{kConflict, "not_reactable"} if it is not an agent reply.
  virtual Result<ReactionChange> SetReaction(const Guest& guest, std::uint64_t message_id,
                                             const std::optional<std::string>& value) = 0;
  // The guest has read its conversation up to `message_id` (a message of it): the marker moves
  // forward only (an older id changes nothing). Error{kNotFound, "message_not_found"} when the
  // message is not in the guest's conversation. The default (fakes) refuses.
  virtual Result<GuestRead> MarkGuestRead(const Guest& guest, std::uint64_t message_id) {
    (void)guest;
    (void)message_id;
    return Error{ErrorKind::kInternal, "unsupported", "read receipts are not stored here"};
  }
  // Stream tickets (for EventSource clients): stores a ticket of the guest, by its hash, valid for
  // `ttl_seconds`.
  virtual Status CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                                    unsigned ttl_seconds) = 0;
  // Redeems a ticket once: the site with this key and the ticket's unexpired guest of that site,
  // deleting the ticket; nullopt when there is no such unexpired ticket for this site.
  virtual Result<std::optional<SiteGuest>> RedeemStreamTicket(std::string_view site_key,
                                                              const std::string& ticket_hash) = 0;
  // In one transaction: the guest of (site, user id), made if missing, its name and email
  // updated, a new device token added; an anonymous guest to merge gives it its conversation
  // (or its messages, when the user already has one) and is then deleted.
  virtual Result<VerifiedGuest> SignInGuest(const VerifiedGuestInput&) {
    return Error{ErrorKind::kInternal, "not_supported", "This store has no verified guests."};
  }
};

}  // namespace edgechat::worker
