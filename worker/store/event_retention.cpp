#include "store/event_retention.hpp"

#include "log/log.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {
namespace {

std::string DeleteQuery(unsigned batch_size) {
  // A fixed number of placeholders keeps one prepared statement per connection; unused ones get
  // 0, which no event has (AUTO_INCREMENT starts at 1).
  std::string query = "DELETE FROM events WHERE id IN (";
  for (unsigned i = 0; i < batch_size; ++i) query += i == 0 ? "?" : ",?";
  query += ")";
  return query;
}

Result<std::string> ReadHorizon(ConnectionPool& pool, unsigned retention_days) {
  return WithConnection<std::string>(pool, [&](DbConnection& c) -> Result<std::string> {
    // The database's clock stamps events.created_at, so it also sets the horizon.
    auto stmt = Prepare(c,
                        "SELECT DATE_FORMAT(UTC_TIMESTAMP(6) - INTERVAL ? DAY, "
                        "'%Y-%m-%d %H:%i:%s.%f') AS horizon");
    stmt->setUInt(1, retention_days);
    auto rs = Query(*stmt);
    if (!rs->next()) return Error{ErrorKind::kInternal, "db_error", "no retention horizon"};
    return std::string(rs->getString("horizon"));
  });
}

Result<std::vector<ScannedEvent>> ScanPage(ConnectionPool& pool, const std::string& horizon,
                                           std::uint64_t after, unsigned page_size) {
  using Page = std::vector<ScannedEvent>;
  return WithConnection<Page>(pool, [&](DbConnection& c) -> Result<Page> {
    // A plain read (no locks). `superseded` uses ix_events_conversation (conversation_id, id).
    auto stmt =
        Prepare(c,
                "SELECT e.id, e.created_at < ? AS expired, "
                "EXISTS (SELECT 1 FROM events n WHERE n.conversation_id = e.conversation_id "
                "AND n.id > e.id) AS superseded "
                "FROM events e WHERE e.id > ? ORDER BY e.id LIMIT ?");
    stmt->setDateTime(1, horizon);
    stmt->setUInt64(2, after);
    stmt->setUInt(3, page_size);
    auto rs = Query(*stmt);
    Page page;
    while (rs->next()) {
      page.push_back(ScannedEvent{rs->getUInt64("id"), rs->getInt("expired") != 0,
                                  rs->getInt("superseded") != 0});
    }
    return page;
  });
}

// Deletes `doomed` (ascending, at most batch_size ids) and raises the watermark to its last id,
// in one short transaction holding only the rows' own locks. Being superseded never ends (the
// newer event stays, pruning never deletes a newest), so the plain read that chose them holds.
Result<std::uint64_t> DeleteBatch(ConnectionPool& pool, const std::string& delete_query,
                                  unsigned batch_size, const std::vector<std::uint64_t>& doomed) {
  return WithTransaction<std::uint64_t>(pool, [&](DbConnection& c) -> Result<std::uint64_t> {
    auto remove = Prepare(c, delete_query);
    for (unsigned i = 0; i < batch_size; ++i) {
      remove->setUInt64(i + 1, i < doomed.size() ? doomed[i] : 0);
    }
    auto deleted = static_cast<std::uint64_t>(remove->executeUpdate());
    auto mark = Prepare(c,
                        "INSERT INTO event_retention (id, pruned_through, pruned_at) "
                        "VALUES (1, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
                        "pruned_through = GREATEST(pruned_through, VALUES(pruned_through)), "
                        "pruned_at = VALUES(pruned_at)");
    mark->setUInt64(1, doomed.back());
    mark->executeUpdate();
    return deleted;
  });
}

Result<std::uint64_t> ReadPrunedThrough(ConnectionPool& pool) {
  return WithConnection<std::uint64_t>(pool, [&](DbConnection& c) -> Result<std::uint64_t> {
    auto rs = Query(*Prepare(c, "SELECT pruned_through FROM event_retention WHERE id = 1"));
    if (!rs->next()) return std::uint64_t{0};
    return static_cast<std::uint64_t>(rs->getUInt64("pruned_through"));
  });
}

}  // namespace

PrunePlan PlanPruneBatch(std::uint64_t after, const std::vector<ScannedEvent>& page,
                         std::size_t page_size) {
  PrunePlan plan;
  plan.scanned_through = after;
  for (const auto& event : page) {
    if (!event.expired) {
      plan.done = true;
      return plan;
    }
    plan.scanned_through = event.id;
    if (event.superseded) plan.doomed.push_back(event.id);
  }
  plan.done = page.size() < page_size;
  return plan;
}

EventPruner::EventPruner(ConnectionPool& pool, unsigned retention_days, std::chrono::seconds period,
                         unsigned batch_size)
    : pool_(pool),
      retention_days_(retention_days),
      period_(period),
      batch_size_(batch_size == 0 ? 1 : batch_size),
      delete_query_(DeleteQuery(batch_size_)) {}

EventPruner::~EventPruner() {
  Stop();
}

void EventPruner::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_requested_) return;
  thread_ = std::thread([this] { Loop(); });
}

void EventPruner::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<PruneReport> EventPruner::RunOnce() {
  PruneReport report;
  auto horizon = ReadHorizon(pool_, retention_days_);
  if (!horizon) return horizon.error();
  report.horizon = *horizon;
  std::uint64_t after = 0;
  while (!stopping_) {
    auto page = ScanPage(pool_, report.horizon, after, batch_size_);
    if (!page) return page.error();
    PrunePlan plan = PlanPruneBatch(after, *page, batch_size_);
    if (!plan.doomed.empty()) {
      auto deleted = DeleteBatch(pool_, delete_query_, batch_size_, plan.doomed);
      if (!deleted) return deleted.error();
      report.deleted += *deleted;
      ++report.batches;
    }
    if (plan.done) break;
    after = plan.scanned_through;
  }
  auto pruned_through = ReadPrunedThrough(pool_);
  if (!pruned_through) return pruned_through.error();
  report.pruned_through = *pruned_through;
  return report;
}

void EventPruner::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_requested_) {
    lock.unlock();
    auto started = std::chrono::steady_clock::now();
    auto report = RunOnce();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    if (!report) {
      LogWarn("retention", "event prune failed: " + report.error().message);
    } else if (report->deleted > 0) {
      LogInfo("retention", "pruned " + std::to_string(report->deleted) + " events created before " +
                               report->horizon + " UTC in " + std::to_string(report->batches) +
                               " batches (" + std::to_string(ms) +
                               " ms); pruned through event id " +
                               std::to_string(report->pruned_through));
    }
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return stop_requested_; });
  }
}

}  // namespace edgechat::worker
