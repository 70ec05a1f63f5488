#include "json/json_shapes.hpp"

#include "shared/config_reply.hpp"
#include "store/message_payload.hpp"

namespace edgechat::worker {

using nlohmann::json;

json SiteConfigJson(const Site& site) {
  return shared::ConfigReply(shared::SiteLook{site.title, site.primary_color, site.locked,
                                              site.locked_message, site.locale},
                             nullptr);
}

shared::RegistryEntry RegistryEntryOf(const Site& s) {
  shared::RegistryEntry entry;
  static_cast<shared::SiteFields&>(entry) = s;  // the registry's fields, as stored
  entry.origins = s.origins;
  entry.secret_key_hashes = s.secret_key_hashes;
  return entry;
}

json SiteSettingsJson(const Site& s) {
  return shared::RegistryEntryJson(RegistryEntryOf(s));
}

json MessageJson(const Message& m) {
  return MessagePayload(m);  // the object message events carry
}

json HistoryJson(const History& history) {
  json messages = json::array();
  for (const auto& m : history.messages) messages.push_back(MessageJson(m));
  return json{
      {"conversationId", history.conversation_id ? json(*history.conversation_id) : json(nullptr)},
      {"status", history.status ? json(*history.status) : json(nullptr)},
      {"messages", std::move(messages)},
      {"hasMore", history.has_more},
      {"agentReadUpTo", history.agent_read_up_to}};
}

json NewGuestJson(const NewGuest& guest) {
  return json{
      {"guestId", guest.public_id}, {"token", guest.token}, {"expiresAt", guest.expires_at}};
}

}  // namespace edgechat::worker
