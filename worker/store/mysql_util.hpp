// Helpers for repositories: run a function on a pooled connection (optionally in a transaction),
// turning driver exceptions into Errors and discarding connections that broke.
#pragma once

#include <chrono>

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <memory>
#include <optional>
#include <string>

#include "common/text.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// A prepared statement from the connection's cache (not owned by the caller).
inline sql::PreparedStatement* Prepare(DbConnection& conn, const std::string& query) {
  return conn.Prepare(query);
}

inline std::unique_ptr<sql::ResultSet> Query(sql::PreparedStatement& stmt) {
  return std::unique_ptr<sql::ResultSet>(stmt.executeQuery());
}

inline std::optional<std::string> OptionalString(sql::ResultSet& rs, const char* column) {
  if (rs.isNull(column)) return std::nullopt;
  return std::string(rs.getString(column));
}

// A nullable DATETIME(6) column (UTC) as ISO-8601, or nullopt.
inline std::optional<std::string> OptionalIso(sql::ResultSet& rs, const char* column) {
  auto text = OptionalString(rs, column);
  if (!text) return std::nullopt;
  return MysqlUtcToIso(*text);
}

template <typename T, typename Fn>
Result<T> WithConnection(ConnectionPool& pool, Fn&& fn) {
  auto conn = pool.Acquire();
  if (!conn) return conn.error();
  try {
    return fn(*conn.value());
  } catch (const sql::SQLException& e) {
    pool.CountError();
    if (IsConnectionError(e)) conn.value().MarkBroken();
    return pool.ErrorFrom(e);
  }
}

// True for errors after which the whole transaction may simply be run again: deadlock (1213) and
// lock wait timeout (1205). InnoDB rolled the transaction back, so a retry cannot duplicate.
inline bool IsRetryableTransactionError(const sql::SQLException& e) {
  return e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
}

enum class TransactionKind {
  kReadWrite,
  // Every SELECT sees one snapshot, taken at START: REPEATABLE READ for this transaction only
  // (sessions run READ COMMITTED, where each statement sees the newest commits).
  kConsistentSnapshot,
};

// Runs `fn` between BEGIN and COMMIT. `fn` returns Result<T>; an Error rolls back. A deadlock
// (e.g. two first messages taking gap locks on the conversations index) is retried.
template <typename T, typename Fn>
Result<T> WithTransaction(ConnectionPool& pool, Fn&& fn,
                          TransactionKind kind = TransactionKind::kReadWrite) {
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    auto conn = pool.Acquire();
    if (!conn) return conn.error();
    DbConnection& db = *conn.value();
    sql::Connection& c = db.raw();
    try {
      // START TRANSACTION leaves autocommit on for the next user of the connection: one round
      // trip instead of two `SET autocommit` toggles.
      std::unique_ptr<sql::Statement> begin(c.createStatement());
      if (kind == TransactionKind::kConsistentSnapshot) {
        begin->execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        begin->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      } else {
        begin->execute("START TRANSACTION");
      }
      Result<T> result = fn(db);
      if (result.ok()) {
        c.commit();
      } else {
        c.rollback();
      }
      return result;
    } catch (const sql::SQLException& e) {
      if (IsConnectionError(e)) {
        pool.CountError();
        conn.value().MarkBroken();
        return pool.ErrorFrom(e);
      }
      try {
        c.rollback();
      } catch (const sql::SQLException&) {
        conn.value().MarkBroken();
      }
      if (IsRetryableTransactionError(e) && attempt < kAttempts) continue;
      pool.CountError();
      return pool.ErrorFrom(e);
    }
  }
}

// `t` as MySQL DATETIME(6) text in UTC, "YYYY-MM-DD HH:MM:SS.ffffff", to the microsecond.
std::string MysqlUtcMicros(std::chrono::system_clock::time_point t);

// `days` after `t`, to the second (".000000"): a guest's expiry.
std::string MysqlUtcPlusDays(std::chrono::system_clock::time_point t, unsigned days);

}  // namespace edgechat::worker
