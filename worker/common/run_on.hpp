// Awaiting work on another executor: a store call on the blocking pool, or a look at the streams
// an event loop owns.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

namespace edgechat::worker {

// Runs `fn` on `where` and resumes on the caller's executor with its result, wrapped in an
// optional because asio needs a default-constructible result.
template <typename Where, typename Fn>
auto RunOn(Where&& where, Fn fn) -> boost::asio::awaitable<std::optional<decltype(fn())>> {
  using R = std::optional<decltype(fn())>;
  co_return co_await boost::asio::co_spawn(
      std::forward<Where>(where),
      [fn = std::move(fn)]() mutable -> boost::asio::awaitable<R> { co_return R(fn()); },
      boost::asio::use_awaitable);
}

}  // namespace edgechat::worker
