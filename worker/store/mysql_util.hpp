// Helpers for repositories: run a function on a pooled connection (optionally in a transaction),
// turning driver exceptions into Errors and discarding connections that broke.
#pragma once

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <string>

#include "store/pool.hpp"

namespace edgechat::worker {

inline std::unique_ptr<sql::PreparedStatement> Prepare(sql::Connection& conn, const char* query) {
  return std::unique_ptr<sql::PreparedStatement>(conn.prepareStatement(query));
}

inline std::unique_ptr<sql::ResultSet> Query(sql::PreparedStatement& stmt) {
  return std::unique_ptr<sql::ResultSet>(stmt.executeQuery());
}

inline std::optional<std::string> OptionalString(sql::ResultSet& rs, const char* column) {
  if (rs.isNull(column)) return std::nullopt;
  return std::string(rs.getString(column));
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

// Runs `fn` between BEGIN and COMMIT. `fn` returns Result<T>; an Error rolls back.
template <typename T, typename Fn>
Result<T> WithTransaction(ConnectionPool& pool, Fn&& fn) {
  auto conn = pool.Acquire();
  if (!conn) return conn.error();
  sql::Connection& c = *conn.value();
  try {
    c.setAutoCommit(false);
    Result<T> result = fn(c);
    if (result.ok()) {
      c.commit();
    } else {
      c.rollback();
    }
    c.setAutoCommit(true);
    return result;
  } catch (const sql::SQLException& e) {
    pool.CountError();
    if (IsConnectionError(e)) {
      conn.value().MarkBroken();
    } else {
      try {
        c.rollback();
        c.setAutoCommit(true);
      } catch (const sql::SQLException&) {
        conn.value().MarkBroken();
      }
    }
    return pool.ErrorFrom(e);
  }
}

// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) for now + `days`.
std::string MysqlUtcNowPlusDays(unsigned days);

}  // namespace edgechat::worker
