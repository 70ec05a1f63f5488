#include "mail/outbox_sender.hpp"

#include <random>

#include "log/log.hpp"

namespace edgechat::worker {

OutboxSender::OutboxSender(OutboxStore& store, OutboxSenderOptions options, Deliver deliver,
                           BeforePoll before_poll, std::function<double()> unit_random)
    : store_(store),
      options_(std::move(options)),
      deliver_(std::move(deliver)),
      before_poll_(std::move(before_poll)),
      unit_random_(std::move(unit_random)) {
  if (!unit_random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    unit_random_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

OutboxSender::~OutboxSender() {
  Stop();
}

void OutboxSender::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_requested_) return;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<unsigned> OutboxSender::RunOnce() {
  EC_TRY(items, store_.Claim(options_.channel, options_.owner, options_.batch, options_.lease));
  unsigned handled = 0;
  for (const auto& item : items) {
    Status delivered = deliver_(item);
    if (delivered) {
      if (auto marked = store_.MarkDelivered(item.id); !marked) {
        // Delivered but not recorded: the lease runs out and it is sent again, with the same
        // idempotency id. Nothing better is possible without the database.
        LogWarn("outbox", options_.channel + " #" + std::to_string(item.id) +
                              " delivered, but not marked: " + marked.error().message);
      } else {
        LogInfo("outbox", options_.channel + " #" + std::to_string(item.id) + " delivered");
      }
    } else {
      const Error& e = delivered.error();
      auto retry_in = BackoffDelay(options_.backoff, item.attempts, unit_random_());
      bool give_up =
          e.kind == ErrorKind::kInvalidInput || item.attempts >= options_.max_attempts ||
          (options_.give_up_after.count() > 0 && item.age + retry_in > options_.give_up_after);
      LogWarn("outbox", options_.channel + " #" + std::to_string(item.id) + " attempt " +
                            std::to_string(item.attempts) + " failed: " + e.message +
                            (give_up ? "; giving up"
                                     : "; retry in " + std::to_string(retry_in.count()) + " ms"));
      if (auto marked = store_.MarkFailed(item.id, e.message, retry_in, give_up); !marked) {
        LogWarn("outbox", "could not record the failure: " + marked.error().message);
      }
    }
    ++handled;
    std::lock_guard lock(mu_);
    if (stop_requested_) break;
  }
  return handled;
}

void OutboxSender::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_requested_) {
    lock.unlock();
    if (before_poll_) before_poll_();
    auto handled = RunOnce();
    if (!handled) LogWarn("outbox", options_.channel + ": " + handled.error().message);
    lock.lock();
    // A full batch means more may be due: go on at once.
    if (handled && *handled >= options_.batch) continue;
    cv_.wait_for(lock, options_.poll, [this] { return stop_requested_; });
  }
}

}  // namespace edgechat::worker
