// Plain data read from and written to the store. Timestamps are ISO-8601 UTC strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/registry.hpp"
#include "shared/site_defaults.hpp"
#include "store/event_notice.hpp"

namespace edgechat::worker {

// A site as the store holds it: the fields the registry carries (shared::SiteFields: key, name,
// title, colour, lock, locale, main, limits) plus its row id, its origins and its creation time.
//
// The one rule for the rate-limit message: `limits.message` is the stored text, and an empty one
// stands for shared::kDefaultLimitMessage (the edge fills the text in, the panel shows the field
// empty). The store always sets it from its column, so a Site read from the store never carries
// the default text in its place; only a default-constructed Site (tests) does.
struct Site : shared::SiteFields {
  std::uint64_t id = 0;
  std::vector<std::string> origins;  // filled only where a listing needs them
  std::string created_at;
  // Hex SHA-256 of the active secret keys: filled only for the registry document.
  std::vector<std::string> secret_key_hashes;
};

struct Guest {
  std::uint64_t id = 0;
  std::string public_id;
  std::uint64_t site_id = 0;
  std::string expires_at;
  // The guest's conversation as the lookup saw it (0 if none yet or not looked up): a hint that
  // lets a message lock and touch the conversation in one statement.
  std::uint64_t conversation_id = 0;
  // A verified guest: the host site's user id (docs/server-api.md, "Verified identity"); every
  // call of such a guest must carry a valid identity token of this user.
  std::optional<std::string> external_user_id;
};

// A verified user signing in on one device (POST guests with an identity token).
struct VerifiedGuestInput {
  std::uint64_t site_id = 0;
  std::string user_id;
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::string new_public_id;      // used when the user has no guest yet
  std::string device_token_hash;  // this device's new token
  unsigned ttl_days = 0;
  // The anonymous guest this device had (found by its token, of the same site): merged into
  // the user's guest and deleted, its token with it.
  std::optional<std::uint64_t> merge_guest_id;
};

struct VerifiedGuest {
  Guest guest;
  bool created = false;               // the user's first guest
  std::uint64_t merged_messages = 0;  // moved from the anonymous guest
  bool merged = false;
};

struct SiteGuest {
  Site site;
  Guest guest;
};

struct Message {
  std::uint64_t id = 0;
  std::uint64_t conversation_id = 0;
  std::string author;  // "guest", "agent" or "system"
  std::string text;
  std::optional<std::string> client_id;
  std::string created_at;
  std::optional<std::string> reaction;  // the guest's reaction: "like" or "dislike"
};

// A page of a conversation's history: the newest `limit` messages with an id below `before`
// (below none when unset).
struct HistoryPage {
  std::optional<std::uint64_t> before;
  unsigned limit = 0;  // 1 or more, set by the caller
};

struct History {
  std::optional<std::uint64_t> conversation_id;
  std::optional<std::string> status;  // "open" | "resolved"; nullopt without a conversation
  std::vector<Message> messages;      // the page, oldest first
  bool has_more = false;              // older messages exist before the page
  // The admins' read marker (conversation_reads): the visitor's "Seen" (0: nothing read).
  std::uint64_t agent_read_up_to = 0;
};

// A visitor's read receipt (POST read): the marker after it and, when it moved past a reply,
// the stored "read" event {"conversationId","by":"visitor","upToMessageId"}.
struct GuestRead {
  std::uint64_t up_to = 0;
  std::optional<EventNotice> event;
};

struct PostedMessage {
  Message message;
  bool created = false;              // false when clientId matched an earlier message
  std::optional<EventNotice> event;  // the stored event, when created
  // The `status` (open) event, stored just before `event`, when the message reopened a resolved
  // conversation.
  std::optional<EventNotice> reopened = std::nullopt;
};

struct ReactionChange {
  std::uint64_t message_id = 0;
  std::optional<std::string> reaction;  // the value now stored
  std::optional<EventNotice> event;     // set when the value changed
};

struct NewGuest {
  std::string public_id;
  std::string token;  // returned once, never stored
  std::string expires_at;
};

}  // namespace edgechat::worker
