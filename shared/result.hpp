// Errors as values at module boundaries: a Result holds either a value or an Error.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace edgechat {

// What kind of failure an Error is: the one thing callers branch on. Each front end maps kinds
// once: to an HTTP status in the worker (http/types.hpp: HttpStatusFor), to an exit code in the
// CLI (ExitCodeFor). docs/architecture.md, "Errors", lists the codes of each kind.
enum class ErrorKind {
  kInvalidInput,  // the caller's input or configuration is wrong: fix it, then retry
  kUnauthorized,  // no credential, or one nobody issued
  kForbidden,     // a known caller that may not do this
  kNotFound,      // what the caller named does not exist
  kConflict,      // clashes with what is stored
  kLimited,       // too many at once: wait, then retry
  kUnavailable,   // a dependency (MySQL, Redis) is down or too slow: retry later
  kInternal,      // anything else: a bug or a broken host
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // stable, machine-readable ("invalid_origin", "db_unavailable", ...)
  std::string message;  // for humans: says what was wrong and, where possible, how to fix it
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace edgechat

// Inside a function that returns a Result or a Status: evaluates `expr` (a Result); if it failed,
// returns its Error from the enclosing function, else declares `var` holding its value.
//   EC_TRY(site, repo.Find(key));
#define EC_TRY(var, expr)                                 \
  auto var##_try_result = (expr);                         \
  if (!var##_try_result) return var##_try_result.error(); \
  auto var = std::move(var##_try_result).value()

// The same, assigning the value to `target` (an existing variable or member).
#define EC_TRY_ASSIGN(target, expr)               \
  do {                                            \
    auto try_assign_ = (expr);                    \
    if (!try_assign_) return try_assign_.error(); \
    target = std::move(try_assign_).value();      \
  } while (false)
