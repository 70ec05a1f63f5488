// The server API's rules (docs/server-api.md), over the conversation store and the same
// ConversationService as the panel: every call is scoped to the caller's site (a conversation of
// another site is "not found", exactly as one that does not exist), the listing's filters and
// cursor checked once, messages by agent or system validated as the panel's replies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/conversation_service.hpp"
#include "service/secret_key_auth.hpp"
#include "store/attribute_repo.hpp"
#include "store/conversation_repo.hpp"

namespace edgechat::worker {

inline constexpr unsigned kServerPageDefault = 50;
inline constexpr unsigned kServerPageMax = 200;
// A visitor's attributes: names of [A-Za-z][A-Za-z0-9_.-]{0,63}, values of at most 500
// characters (code points, no control characters), at most 50 per visitor.
inline constexpr std::size_t kMaxAttributes = 50;
inline constexpr std::size_t kMaxAttributeValue = 500;
inline constexpr std::size_t kMaxAttributeName = 64;

// As the HTTP front reads it from the query: every field optional text.
struct ServerListQuery {
  std::optional<std::string> status;         // open | resolved
  std::optional<std::string> updated_since;  // ISO-8601 UTC, inclusive: "2026-12-06T07:00:00.123Z"
  std::optional<std::string> cursor;         // the previous page's nextCursor
  std::optional<std::string> limit;          // 1..kServerPageMax
};

struct ConversationPage {
  std::vector<ConversationSummary> conversations;
  std::optional<std::string> next_cursor;  // absent on the last page
};

struct ServerMessageInput {
  std::string author = "agent";  // agent | system
  std::string text;
  std::optional<std::string> client_id;
};

class ServerService {
 public:
  ServerService(ConversationRepo& conversations, AttributeRepo& attributes, EventPublisher& events)
      : conversations_(conversations),
        attributes_(attributes),
        events_(events),
        service_(conversations, events) {}

  Result<ConversationPage> List(const SecretKeyCaller& caller, const ServerListQuery& query);
  Result<ConversationSummary> Show(const SecretKeyCaller& caller, std::uint64_t id);
  // after: a message id (0 from the start); limit as in List.
  Result<MessagePage> Messages(const SecretKeyCaller& caller, std::uint64_t id,
                               const std::optional<std::string>& after,
                               const std::optional<std::string>& limit);
  Result<AgentReply> Post(const SecretKeyCaller& caller, std::uint64_t id,
                          const ServerMessageInput& input);
  // "open" or "resolved"; true when it changed.
  Result<bool> SetStatus(const SecretKeyCaller& caller, std::uint64_t id,
                         const std::string& status);
  // A visitor (public guest id) of the caller's site: its attributes, or merged with `changes`
  // (a value of std::nullopt removes the name). Another site's visitor is "not found".
  Result<Attributes> VisitorAttributes(const SecretKeyCaller& caller, const std::string& guest_id);
  Result<Attributes> SetVisitorAttributes(const SecretKeyCaller& caller,
                                          const std::string& guest_id,
                                          const AttributeChanges& changes);
  // Erases the visitor's messages, reactions and attributes (EraseVisitor), audited as the key
  // ("server:" + its prefix), and announces the "erased" event to the streams.
  Result<ErasedVisitor> EraseVisitor(const SecretKeyCaller& caller, const std::string& guest_id);

 private:
  // Error{kNotFound} unless conversation `id` belongs to the caller's site.
  Status CheckSite(const SecretKeyCaller& caller, std::uint64_t id);
  // The row id of the caller's site's visitor `guest_id`, else Error{kNotFound}.
  Result<std::uint64_t> VisitorOf(const SecretKeyCaller& caller, const std::string& guest_id);

  ConversationRepo& conversations_;
  AttributeRepo& attributes_;
  EventPublisher& events_;
  ConversationService service_;
};

// Error{kInvalidInput, "invalid_attribute"} unless `name` and `value` follow the rules above.
Status ValidateAttribute(const std::string& name, const std::optional<std::string>& value);

// "YYYY-MM-DDTHH:MM:SS[.fraction]Z" to MySQL's "YYYY-MM-DD HH:MM:SS.ffffff"; else std::nullopt.
std::optional<std::string> IsoToMysqlUtc(std::string_view iso);

}  // namespace edgechat::worker
