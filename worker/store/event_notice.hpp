// A conversation event as it travels once committed: to local streams, and through Redis pub/sub
// to other workers. Its two wire forms live beside it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgechat::worker {

struct EventNotice {
  std::uint64_t id = 0;  // events.id: the SSE event id
  std::uint64_t conversation_id = 0;
  std::uint64_t guest_id = 0;  // the conversation's guest (0 if none)
  std::string type;            // "message", "reaction", "status"
  std::string data;            // JSON text sent as the SSE data line
  // The id of the conversation's previous event (0 if none). A stream that has sent exactly
  // prev_id can send this notice as is; any other stream reads MySQL instead (no gap possible).
  std::uint64_t prev_id = 0;
};

// Wire form for Redis pub/sub; read back by DecodeRemoteNotice (events/remote_notice.hpp).
// `sender` (a worker's id, see RedisRelay) lets the sender know its own notice when Redis hands it
// back; empty leaves it out (the CLI, which has no streams of its own).
std::string EncodeNotice(const EventNotice& notice, std::string_view sender = {});

// "id: N\nevent: TYPE\ndata: DATA\n\n" (DATA is one line of JSON).
std::string FormatSse(const EventNotice& notice);

// Someone is typing in a conversation: ephemeral, never stored, never given an event id. A
// guest's typing goes to the admin streams, an agent's to the guest's streams.
struct TypingNotice {
  enum class From { kGuest, kAgent };
  std::uint64_t conversation_id = 0;
  std::uint64_t guest_id = 0;
  From from = From::kGuest;
  // No text: a typing notice reaches a guest's stream as it is (nothing stored to read back), so
  // it carries nothing a forged PUBLISH could show a visitor; the frame says "Agent is typing…".
};

// Wire form for Redis pub/sub: {"type":"typing","conversationId","guestId","from","sender"?};
// read back by DecodeRemoteNotice.
std::string EncodeTypingNotice(const TypingNotice& notice, std::string_view sender = {});

// "event: typing\ndata: {...}\n\n" with no id line, so a client's Last-Event-ID is unchanged.
// For a guest's stream: {"from":"agent"}; for the admin stream:
// {"conversationId":N,"from":"guest"}.
std::string FormatTypingSse(const TypingNotice& notice);

}  // namespace edgechat::worker
