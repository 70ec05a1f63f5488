#include "http/loops.hpp"

namespace edgechat::worker {

EventLoops::EventLoops(unsigned count) {
  if (count == 0) count = 1;
  loops_.reserve(count);
  for (unsigned i = 0; i < count; ++i) loops_.push_back(std::make_unique<Loop>());
}

EventLoops::~EventLoops() {
  Stop();
}

boost::asio::io_context& EventLoops::Next() {
  return loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()]->io;
}

std::vector<EventLoops::Executor> EventLoops::executors() const {
  std::vector<Executor> out;
  out.reserve(loops_.size());
  for (const auto& loop : loops_) out.push_back(loop->io.get_executor());
  return out;
}

void EventLoops::Start() {
  for (auto& loop : loops_) {
    if (!loop->thread.joinable()) loop->thread = std::thread([io = &loop->io] { io->run(); });
  }
}

void EventLoops::Stop() {
  for (auto& loop : loops_) {
    loop->work.reset();
    loop->io.stop();
  }
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

}  // namespace edgechat::worker
