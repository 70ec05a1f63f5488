// Retention of conversation events (`events.retention_days`). The events table only serves
// resuming streams, so old rows are deleted in small batches, each its own short transaction,
// while the messages themselves stay. The newest event of every conversation is kept, so a
// conversation's newest id (what streams and the history answer start from) never goes back.
// event_retention.pruned_through records the highest id deleted, in the same transaction as each
// batch: a stream resuming below it may have missed events and is told to reload (`reset`).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::worker {

class ConnectionPool;

inline constexpr unsigned kDefaultPruneBatch = 1000;

// One row of the scan, in id order: whether the event is older than the horizon, and whether
// its conversation has a newer event (so it is not the conversation's newest).
struct ScannedEvent {
  std::uint64_t id = 0;
  bool expired = false;
  bool superseded = false;
};

struct PrunePlan {
  std::vector<std::uint64_t> doomed;  // ids to delete now
  std::uint64_t scanned_through = 0;  // continue the scan after this id
  bool done = false;                  // nothing expired lies after scanned_through
};

// Decides a batch from one page of the scan: the rows after id `after`, ascending, at most
// `page_size`. Ids and created_at are both assigned at insert, so the first event still within
// the retention period ends the run and nothing after it is read. A short page is the table's end.
PrunePlan PlanPruneBatch(std::uint64_t after, const std::vector<ScannedEvent>& page,
                         std::size_t page_size);

struct PruneReport {
  std::uint64_t deleted = 0;
  unsigned batches = 0;
  std::uint64_t pruned_through = 0;  // event_retention.pruned_through after the run
  std::string horizon;               // events created before this (UTC) were candidates
};

class EventPruner {
 public:
  // Prunes events older than `retention_days` every `period` once started. `batch_size` rows
  // are scanned and at most that many deleted per transaction.
  EventPruner(ConnectionPool& pool, unsigned retention_days, std::chrono::seconds period,
              unsigned batch_size = kDefaultPruneBatch);
  ~EventPruner();
  EventPruner(const EventPruner&) = delete;
  EventPruner& operator=(const EventPruner&) = delete;

  // Runs a prune at once, then every period, on a thread of its own.
  void Start();
  // Stops promptly: a run in progress ends after its current batch. Idempotent.
  void Stop();

  // One full run on the caller's thread (used by `edgechatctl events prune`).
  Result<PruneReport> RunOnce();

 private:
  void Loop();

  ConnectionPool& pool_;
  unsigned retention_days_;
  std::chrono::seconds period_;
  unsigned batch_size_;
  std::string delete_query_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;        // guarded by mu_
  std::atomic<bool> stopping_{false};  // read between batches without the lock
};

}  // namespace edgechat::worker
