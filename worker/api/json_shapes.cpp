#include "api/json_shapes.hpp"

#include "common/text.hpp"

namespace edgechat::worker {

using nlohmann::json;

json SiteConfigJson(const Site& site) {
  return json{{"title", site.title},
              {"primaryColor", site.primary_color},
              {"locked", site.locked},
              {"lockedMessage", site.locked_message},
              {"locale", site.locale ? json(*site.locale) : json(nullptr)},
              {"limits", {{"maxMessageLength", kMaxMessageLength}}}};
}

json SiteSettingsJson(const Site& s) {
  return json{{"key", s.key},
              {"name", s.name},
              {"title", s.title},
              {"primaryColor", s.primary_color},
              {"locked", s.locked},
              {"lockedMessage", s.locked_message},
              {"locale", s.locale ? json(*s.locale) : json(nullptr)},
              {"main", s.is_main},
              {"origins", s.origins},
              {"limits",
               {{"messages", s.limits.messages},
                {"windowSeconds", s.limits.window_seconds},
                {"burst", s.limits.burst},
                {"message", s.limits.message}}}};
}

json MessageJson(const Message& m) {
  return json{{"id", m.id},
              {"author", m.author},
              {"text", m.text},
              {"createdAt", m.created_at},
              {"clientId", m.client_id ? json(*m.client_id) : json(nullptr)},
              {"reaction", m.reaction ? json(*m.reaction) : json(nullptr)}};
}

json HistoryJson(const History& history) {
  json messages = json::array();
  for (const auto& m : history.messages) messages.push_back(MessageJson(m));
  return json{
      {"conversationId", history.conversation_id ? json(*history.conversation_id) : json(nullptr)},
      {"status", history.status ? json(*history.status) : json(nullptr)},
      {"messages", std::move(messages)},
      {"hasMore", history.has_more}};
}

json NewGuestJson(const NewGuest& guest) {
  return json{
      {"guestId", guest.public_id}, {"token", guest.token}, {"expiresAt", guest.expires_at}};
}

}  // namespace edgechat::worker
