// A notice that came from Redis pub/sub. Whoever can PUBLISH on Redis can forge one, so it is
// decoded strictly and trusted for one thing only: "this guest's conversation may have an event
// up to this id". The hub then makes that guest's streams read MySQL; no text of the notice ever
// reaches a stream. The one exception is a typing notice, which is never stored and so has no
// MySQL copy to read: its agent name goes to the guest's streams, shaped strictly (below) and
// rendered as text only by a client that shows it (the widget shows a fixed text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"
#include "store/event_notice.hpp"

namespace edgechat::worker {

// The largest notice accepted: a message notice holds a message of at most 2000 characters
// (4 bytes each at worst, JSON-escaped twice) and a few ids.
inline constexpr std::size_t kMaxRemoteNoticeBytes = 64 * 1024;
// Ids are MySQL BIGINT UNSIGNED AUTO_INCREMENT values; anything above the signed range is not
// one we could have written.
inline constexpr std::uint64_t kMaxNoticeId = 0x7fffffffffffffffULL;

struct RemoteNotice {
  std::uint64_t id = 0;               // the event's id, 1..kMaxNoticeId
  std::uint64_t conversation_id = 0;  // 1..kMaxNoticeId
  std::uint64_t guest_id = 0;         // 0: a conversation without a guest (no stream to wake)
  std::string sender;                 // the publishing worker's id; empty if none was given
  // A typing notice (type "typing"): no id, never stored; `typing` holds what it said.
  std::optional<TypingNotice> typing;
};

// A sender id: 1 to kMaxSenderLength characters of [A-Za-z0-9_-].
inline constexpr std::size_t kMaxSenderLength = 64;

// Checks the wire form EncodeNotice writes: a JSON object of at most kMaxRemoteNoticeBytes with
// exactly the keys id, conversationId, guestId, type, data and optionally prevId and sender; ids
// whole numbers in range (prevId below id), type one of the event kinds, data the text of a JSON
// object, sender a sender id. A typing notice has exactly type "typing", conversationId, guestId
// (1 or more), from ("guest" or "agent") and optionally sender: no text, so nothing a notice
// carries reaches a visitor. Anything else is an Error{kInvalidInput, "invalid_notice"} whose
// message says what was wrong.
Result<RemoteNotice> DecodeRemoteNotice(std::string_view text);

}  // namespace edgechat::worker
