// A TypingPublisher that keeps what it was given, for the APIs' typing tests.
#pragma once

#include <vector>

#include "store/event_publisher.hpp"

namespace edgechat::worker {

class RecordingTyping : public TypingPublisher {
 public:
  std::vector<TypingNotice> sent;
  void PublishTyping(const TypingNotice& notice) override { sent.push_back(notice); }
};

}  // namespace edgechat::worker
