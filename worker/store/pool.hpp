// A small pool of MySQL connections (Connector/C++ 1.1). Connections are opened lazily, checked
// out with a deadline, and thrown away after a driver error so a restarted MySQL heals the pool
// without a worker restart.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "shared/result.hpp"

namespace sql {
class Connection;
class PreparedStatement;
class SQLException;
}  // namespace sql

namespace edgechat::worker {

class ConnectionPool;

// A connection with its prepared statements: each distinct query is prepared once per connection
// and reused, saving a server round trip (and a close) per query.
class DbConnection {
 public:
  explicit DbConnection(std::unique_ptr<sql::Connection> conn);
  ~DbConnection();
  DbConnection(const DbConnection&) = delete;
  DbConnection& operator=(const DbConnection&) = delete;

  sql::Connection& raw() { return *conn_; }
  // The cached statement for `query`, parameters cleared. Valid while this connection lives.
  sql::PreparedStatement* Prepare(const std::string& query);

 private:
  std::unique_ptr<sql::Connection> conn_;  // declared first: destroyed after the statements
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
};

// A checked-out connection; returns itself to the pool when destroyed. Call MarkBroken() after a
// driver error so the pool reconnects instead of reusing it.
class PooledConnection {
 public:
  PooledConnection(ConnectionPool* pool, std::unique_ptr<DbConnection> conn);
  PooledConnection(PooledConnection&&) noexcept;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();

  DbConnection& operator*() const { return *conn_; }
  DbConnection* operator->() const { return conn_.get(); }
  void MarkBroken() { broken_ = true; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<DbConnection> conn_;
  bool broken_ = false;
};

struct PoolStats {
  unsigned size = 0;    // configured maximum
  unsigned open = 0;    // connections that exist
  unsigned in_use = 0;  // checked out now
  unsigned long long errors = 0;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(DbSettings settings);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection within `wait`, or Error{kUnavailable, "db_unavailable"} naming the server and the
  // reason.
  Result<PooledConnection> Acquire(std::chrono::milliseconds wait = std::chrono::seconds(3));
  // True when a connection answers a ping now. Readiness must not trust a connection that merely
  // worked a moment ago: Acquire hands out recently used ones without pinging them.
  bool Ping(std::chrono::milliseconds wait);

  PoolStats Stats() const;
  const DbSettings& settings() const { return settings_; }

  // Error for a driver exception, with the server named: used by every repository.
  Error ErrorFrom(const sql::SQLException& e) const;
  void CountError();

 private:
  friend class PooledConnection;
  void Release(std::unique_ptr<DbConnection> conn, bool broken);
  Result<std::unique_ptr<DbConnection>> Open();

  DbSettings settings_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct IdleConnection {
    std::unique_ptr<DbConnection> conn;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<IdleConnection> idle_;
  unsigned open_ = 0;
  unsigned in_use_ = 0;
  unsigned long long errors_ = 0;
};

// True if the exception means the server is unreachable or the connection is gone (as opposed to
// a constraint violation or a bad query).
bool IsConnectionError(const sql::SQLException& e);
// True for a duplicate-key violation (ER_DUP_ENTRY).
bool IsDuplicateKey(const sql::SQLException& e);

}  // namespace edgechat::worker
