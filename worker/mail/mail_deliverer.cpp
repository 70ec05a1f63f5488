#include "mail/mail_deliverer.hpp"

#include <nlohmann/json.hpp>

#include "mail/mail_message.hpp"

namespace edgechat::worker {

Result<OutgoingMail> MailForOutboxItem(const OutboxItem& item, const MailIdentity& identity,
                                       std::chrono::system_clock::time_point now) {
  auto bad = [&](const std::string& why) -> Error {
    return Error{ErrorKind::kInvalidInput, "invalid_payload",
                 "outbox #" + std::to_string(item.id) + ": " + why};
  };
  nlohmann::json p = nlohmann::json::parse(item.payload, nullptr, false);
  if (!p.is_object() || !p.contains("to") || !p["to"].is_string() || !p.contains("kind") ||
      !p["kind"].is_string()) {
    return bad("the payload is not a mail");
  }
  AgentMailFacts facts;
  facts.kind = p["kind"].get<std::string>();
  if (facts.kind != "new_conversation" && facts.kind != "unanswered")
    return bad("unknown mail kind " + facts.kind);
  facts.locale = p.value("locale", "en");
  facts.site_name = p.value("siteName", "");
  facts.conversation_id = p.value("conversationId", std::uint64_t{0});
  facts.text = p.value("text", "");
  facts.minutes = p.value("minutes", 0u);
  facts.panel_url = p.value("panelUrl", "");
  MailHeaders headers;
  headers.from = identity.from;
  headers.from_name = identity.from_name;
  headers.to = p["to"].get<std::string>();
  headers.message_id = MessageIdFor(item.id, identity.from);
  headers.date =
      MailDate(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  EC_TRY(data, BuildMime(headers, RenderAgentMail(facts), BoundaryFor(item.id)));
  return OutgoingMail{headers.from, headers.to, std::move(data)};
}

std::function<Status(const OutboxItem&)> MailDeliverer(
    MailTransport& transport, MailIdentity identity,
    std::function<std::chrono::system_clock::time_point()> clock) {
  return [&transport, identity = std::move(identity),
          clock = std::move(clock)](const OutboxItem& item) -> Status {
    EC_TRY(mail, MailForOutboxItem(item, identity, clock()));
    return transport.Send(mail);
  };
}

}  // namespace edgechat::worker
