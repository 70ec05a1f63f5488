// The outbox's sender loop, one per channel, on a thread of its own (never an event loop or the
// request pool): claim due rows with a lease, deliver each through the channel's Deliver
// function, mark it delivered, or schedule a retry with exponential backoff and jitter
// (backoff.hpp), giving up after max_attempts. At-least-once: a crash between a delivery and its
// "delivered" write leaves the row to be claimed again once its lease runs out, and the channel
// makes that resend recognisable (a mail keeps its Message-ID, built from the row's id).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "mail/backoff.hpp"
#include "store/outbox_repo.hpp"

namespace edgechat::worker {

struct OutboxSenderOptions {
  std::string channel;  // "mail"
  std::string owner;    // this worker's id, recorded as claimed_by
  unsigned batch = 20;
  std::chrono::milliseconds poll{1000};
  // Longer than one delivery can take (the transport's timeouts), so a live sender's lease never
  // runs out under it.
  std::chrono::milliseconds lease{120000};
  unsigned max_attempts = 20;
  // Non-zero: also give up once the next attempt would come later than this after the row was
  // queued (OutboxItem::age): webhooks retry for a day (webhook.retry_for_s).
  std::chrono::milliseconds give_up_after{0};
  BackoffPolicy backoff;
};

// Delivers one item. kInvalidInput means it can never succeed: given up at once.
using Deliver = std::function<Status(const OutboxItem&)>;
// Runs once per poll before claiming (e.g. queueing mails that became due); may be empty.
using BeforePoll = std::function<void()>;

class OutboxSender {
 public:
  OutboxSender(OutboxStore& store, OutboxSenderOptions options, Deliver deliver,
               BeforePoll before_poll = {}, std::function<double()> unit_random = {});
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void Start();
  void Stop();

  // One pass on the caller's thread: claims one batch and handles it. Returns how many items it
  // handled (delivered or failed), or the claim's error.
  Result<unsigned> RunOnce();

 private:
  void Loop();

  OutboxStore& store_;
  OutboxSenderOptions options_;
  Deliver deliver_;
  BeforePoll before_poll_;
  std::function<double()> unit_random_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
};

}  // namespace edgechat::worker
