#include "store/pool.hpp"

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

namespace edgechat::worker {

DbConnection::DbConnection(std::unique_ptr<sql::Connection> conn) : conn_(std::move(conn)) {}

DbConnection::~DbConnection() = default;

sql::PreparedStatement* DbConnection::Prepare(const std::string& query) {
  auto it = statements_.find(query);
  if (it != statements_.end()) {
    it->second->clearParameters();
    return it->second.get();
  }
  std::unique_ptr<sql::PreparedStatement> stmt(conn_->prepareStatement(query));
  return statements_.emplace(query, std::move(stmt)).first->second.get();
}

PooledConnection::PooledConnection(ConnectionPool* pool, std::unique_ptr<DbConnection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr && conn_) pool_->Release(std::move(conn_), broken_);
}

ConnectionPool::ConnectionPool(DbSettings settings) : settings_(std::move(settings)) {}

ConnectionPool::~ConnectionPool() = default;

Result<std::unique_ptr<DbConnection>> ConnectionPool::Open() {
  try {
    // get_mysql_driver_instance is not thread-safe on first use; callers hold no lock here, but
    // the worker and CLI create the first connection before starting other threads.
    sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
    sql::ConnectOptionsMap options;
    if (!settings_.socket.empty()) {
      options["hostName"] = sql::SQLString("localhost");
      options["socket"] = sql::SQLString(settings_.socket);
    } else {
      options["hostName"] = sql::SQLString("tcp://" + settings_.host);
      options["port"] = static_cast<int>(settings_.port);
    }
    options["userName"] = sql::SQLString(settings_.user);
    options["password"] = sql::SQLString(settings_.password);
    options["schema"] = sql::SQLString(settings_.name);
    options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    options["OPT_CONNECT_TIMEOUT"] = static_cast<int>(settings_.connect_timeout_s);
    options["OPT_READ_TIMEOUT"] = static_cast<int>(settings_.query_timeout_s);
    options["OPT_WRITE_TIMEOUT"] = static_cast<int>(settings_.query_timeout_s);
    options["OPT_RECONNECT"] = false;
    std::unique_ptr<sql::Connection> conn(driver->connect(options));
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    // Every timestamp is UTC: CURRENT_TIMESTAMP(6) and the API's ISO strings must agree.
    stmt->execute("SET time_zone = '+00:00'");
    // READ COMMITTED: no gap locks, so first messages of different guests (which look up and then
    // insert their conversation) never deadlock each other. Ordering within a conversation comes
    // from locking its row, which works the same under either level.
    stmt->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    return std::make_unique<DbConnection>(std::move(conn));
  } catch (const sql::SQLException& e) {
    CountError();
    return ErrorFrom(e);
  }
}

bool ConnectionPool::Ping(std::chrono::milliseconds wait) {
  auto conn = Acquire(wait);
  if (!conn) return false;
  bool alive = false;
  try {
    alive = conn.value()->raw().isValid();
  } catch (const sql::SQLException&) {
  }
  if (!alive) conn.value().MarkBroken();
  return alive;
}

Result<PooledConnection> ConnectionPool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (idle_.empty() && open_ >= settings_.pool_size) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= settings_.pool_size) {
      return Error{ErrorKind::kUnavailable, "db_unavailable",
                   "no free database connection within " + std::to_string(wait.count()) +
                       " ms (pool of " + std::to_string(settings_.pool_size) + ")"};
    }
  }
  while (!idle_.empty()) {
    IdleConnection idle = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    // A connection idle for a while may have been closed by a MySQL restart or wait_timeout:
    // ping it (outside the lock) rather than fail the request that gets it.
    if (std::chrono::steady_clock::now() - idle.since < std::chrono::seconds(2)) {
      return PooledConnection(this, std::move(idle.conn));
    }
    lock.unlock();
    bool alive = false;
    try {
      alive = idle.conn->raw().isValid();
    } catch (const sql::SQLException&) {
    }
    if (alive) return PooledConnection(this, std::move(idle.conn));
    idle.conn.reset();
    lock.lock();
    --in_use_;
    --open_;
  }
  ++open_;
  ++in_use_;
  lock.unlock();
  auto conn = Open();
  if (!conn) {
    lock.lock();
    --open_;
    --in_use_;
    cv_.notify_one();
    return conn.error();
  }
  return PooledConnection(this, std::move(conn).value());
}

void ConnectionPool::Release(std::unique_ptr<DbConnection> conn, bool broken) {
  std::lock_guard lock(mu_);
  --in_use_;
  if (broken) {
    --open_;
    conn.reset();
  } else {
    idle_.push_back(IdleConnection{std::move(conn), std::chrono::steady_clock::now()});
  }
  cv_.notify_one();
}

PoolStats ConnectionPool::Stats() const {
  std::lock_guard lock(mu_);
  return PoolStats{settings_.pool_size, open_, in_use_, errors_};
}

void ConnectionPool::CountError() {
  std::lock_guard lock(mu_);
  ++errors_;
}

Error ConnectionPool::ErrorFrom(const sql::SQLException& e) const {
  std::string reason = e.what();
  if (IsConnectionError(e)) {
    return Error{ErrorKind::kUnavailable, "db_unavailable",
                 "database " + settings_.Describe() + " unreachable: " + reason};
  }
  return Error{ErrorKind::kInternal, "db_error",
               "database error " + std::to_string(e.getErrorCode()) + ": " + reason};
}

bool IsConnectionError(const sql::SQLException& e) {
  int code = e.getErrorCode();
  // Client errors 2000..2999 (CR_*: cannot connect, server gone, lost connection, timeouts),
  // access denied / unknown database at connect, server shutdown in progress.
  return (code >= 2000 && code < 3000) || code == 1040 || code == 1045 || code == 1049 ||
         code == 1053 || code == 1927 || code == 0;
}

bool IsDuplicateKey(const sql::SQLException& e) {
  return e.getErrorCode() == 1062;
}

}  // namespace edgechat::worker
