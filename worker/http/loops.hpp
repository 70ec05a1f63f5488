// The worker's connection loops: N single-threaded io_contexts, each run by a thread of its own.
// A connection stays on one loop for its whole life, so it needs no strand, and what it holds (an
// event stream) is touched by that loop's thread only. One handler posted to each loop can then
// reach every stream of a conversation, instead of one handler per stream.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace edgechat::worker {

class EventLoops {
 public:
  using Executor = boost::asio::io_context::executor_type;

  explicit EventLoops(unsigned count);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  std::size_t size() const { return loops_.size(); }
  boost::asio::io_context& at(std::size_t i) { return loops_[i]->io; }
  // The loop for a new connection (round robin).
  boost::asio::io_context& Next();
  std::vector<Executor> executors() const;

  // One thread per loop; each runs until Stop().
  void Start();
  // Stops every loop and joins its thread. Handlers still queued are dropped.
  void Stop();

 private:
  struct Loop {
    boost::asio::io_context io{1};  // one thread: Asio may skip its internal locking
    boost::asio::executor_work_guard<Executor> work = boost::asio::make_work_guard(io);
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace edgechat::worker
