#include "events/remote_notice.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "shared/ascii.hpp"

namespace edgechat::worker {
namespace {

using nlohmann::json;

// The event kinds the store writes (InsertEvent callers: messages, reactions, status changes,
// a visitor's data erased by the server API, read receipts).
constexpr std::array<std::string_view, 5> kEventKinds = {"message", "reaction", "status", "erased",
                                                         "read"};
constexpr std::array<std::string_view, 7> kKeys = {"id",   "conversationId", "guestId", "type",
                                                   "data", "prevId",         "sender"};

Error Invalid(std::string message) {
  return Error{ErrorKind::kInvalidInput, "invalid_notice", std::move(message)};
}

// A whole number from `min` to kMaxNoticeId; no floats, strings or negatives.
Result<std::uint64_t> Id(const json& object, const char* key, std::uint64_t min) {
  auto it = object.find(key);
  if (it == object.end()) return Invalid(std::string(key) + " is missing");
  if (!it->is_number_unsigned() && !it->is_number_integer()) {
    return Invalid(std::string(key) + " is not a whole number");
  }
  if (it->is_number_integer() && !it->is_number_unsigned() && it->get<std::int64_t>() < 0) {
    return Invalid(std::string(key) + " is negative");
  }
  std::uint64_t value = it->get<std::uint64_t>();
  if (value < min || value > kMaxNoticeId) return Invalid(std::string(key) + " is out of range");
  return value;
}

Result<std::string> Sender(const json& object) {
  auto sender = object.find("sender");
  if (sender == object.end()) return std::string();
  if (!sender->is_string()) return Invalid("sender is not a string");
  const std::string& text = sender->get_ref<const std::string&>();
  bool shaped = !text.empty() && text.size() <= kMaxSenderLength &&
                std::all_of(text.begin(), text.end(), shared::IsBase64UrlChar);
  if (!shaped) return Invalid("sender is not a sender id");
  return text;
}

// {"type":"typing","conversationId","guestId","from","sender"?}: nothing else (no text).
Result<RemoteNotice> DecodeTyping(const json& object) {
  constexpr std::array<std::string_view, 5> kTypingKeys = {"type", "conversationId", "guestId",
                                                           "from", "sender"};
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view k : kTypingKeys) known = known || key == k;
    if (!known) return Invalid("unknown key in a typing notice");
  }
  TypingNotice typing;
  EC_TRY(conversation, Id(object, "conversationId", 1));
  typing.conversation_id = conversation;
  EC_TRY(guest, Id(object, "guestId", 1));
  typing.guest_id = guest;
  auto from = object.find("from");
  if (from == object.end() || !from->is_string()) return Invalid("from is not a string");
  const std::string& who = from->get_ref<const std::string&>();
  if (who == "guest") {
    typing.from = TypingNotice::From::kGuest;
  } else if (who == "agent") {
    typing.from = TypingNotice::From::kAgent;
  } else {
    return Invalid("from is neither guest nor agent");
  }
  RemoteNotice notice;
  EC_TRY(sender, Sender(object));
  notice.sender = std::move(sender);
  notice.conversation_id = typing.conversation_id;
  notice.guest_id = typing.guest_id;
  notice.typing = std::move(typing);
  return notice;
}

}  // namespace

Result<RemoteNotice> DecodeRemoteNotice(std::string_view text) {
  if (text.size() > kMaxRemoteNoticeBytes) return Invalid("larger than the largest notice");
  json object = json::parse(text, nullptr, false);
  if (object.is_discarded() || !object.is_object()) return Invalid("not a JSON object");
  if (auto type = object.find("type"); type != object.end() && type->is_string() &&
                                       type->get_ref<const std::string&>() == "typing") {
    return DecodeTyping(object);
  }
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || key == k;
    if (!known) return Invalid("unknown key");
  }
  RemoteNotice notice;
  auto id = Id(object, "id", 1);
  if (!id) return id.error();
  notice.id = *id;
  auto conversation = Id(object, "conversationId", 1);
  if (!conversation) return conversation.error();
  notice.conversation_id = *conversation;
  auto guest = Id(object, "guestId", 0);
  if (!guest) return guest.error();
  notice.guest_id = *guest;
  if (object.contains("prevId")) {
    auto prev = Id(object, "prevId", 0);
    if (!prev) return prev.error();
    if (*prev >= notice.id) return Invalid("prevId is not below id");
  }
  EC_TRY(sender, Sender(object));
  notice.sender = std::move(sender);
  auto type = object.find("type");
  if (type == object.end() || !type->is_string()) return Invalid("type is not a string");
  bool kind = false;
  for (std::string_view k : kEventKinds) kind = kind || type->get_ref<const std::string&>() == k;
  if (!kind) return Invalid("type is not an event kind");
  auto data = object.find("data");
  if (data == object.end() || !data->is_string()) return Invalid("data is not a string");
  json payload = json::parse(data->get_ref<const std::string&>(), nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return Invalid("data is not a JSON object");
  return notice;
}

}  // namespace edgechat::worker
