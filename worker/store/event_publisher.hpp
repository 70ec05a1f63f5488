// Announces committed events. The worker fans out locally and through Redis; the CLI only
// through Redis. Must not block for long: called on request threads.
#pragma once

#include "store/event_notice.hpp"

namespace edgechat::worker {

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  virtual void Publish(const EventNotice& notice) = 0;
};

class NullEventPublisher : public EventPublisher {
 public:
  void Publish(const EventNotice&) override {}
};

// Announces typing (never stored): to this worker's streams and through Redis to the others.
// Must not block: called on request threads.
class TypingPublisher {
 public:
  virtual ~TypingPublisher() = default;
  virtual void PublishTyping(const TypingNotice& notice) = 0;
};

class NullTypingPublisher : public TypingPublisher {
 public:
  void PublishTyping(const TypingNotice&) override {}
};

}  // namespace edgechat::worker
