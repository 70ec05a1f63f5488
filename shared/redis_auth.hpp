// Redis credentials (AUTH) and the transport checks shared by the edge (nginx module) and the
// worker and CLI: one reading of a password file, one AUTH command, one refusal of TLS.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::shared {

// hiredis 0.14 (the one Debian 12 ships) has no TLS: the same answer wherever TLS is asked for.
inline constexpr std::string_view kRedisTlsUnsupported =
    "TLS to Redis is not supported by this build (hiredis 0.14); use a local unix socket or a "
    "loopback tunnel (see docs/configuration.md)";

// The largest password file read; Redis passwords are short, a bigger file is a wrong path.
inline constexpr std::size_t kMaxSecretFileBytes = 4096;

// True for an address written as a TLS URL ("rediss://...", "tls:..."), in any case.
bool LooksLikeRedisTls(std::string_view address);

struct RedisCredentials {
  std::string user;      // empty: Redis's default user (AUTH password)
  std::string password;  // empty: no AUTH at all

  bool enabled() const { return !password.empty(); }
  // AUTH [user] password, as views into *this.
  std::vector<std::string_view> AuthCommand() const;
};

// An ACL user name as Redis accepts it on AUTH: 1 to 128 printable ASCII characters, no spaces.
Status CheckRedisUser(std::string_view user);

// The secret in a file: its content without one trailing line break (LF or CRLF), so files written
// by `echo` work. Refused with a message (no path in it: callers name the path and the setting):
// unreadable, not a regular file, empty, over kMaxSecretFileBytes, or holding NUL or line breaks.
Result<std::string> ReadSecretFile(const std::string& path);

// `text` (an error reply of Redis, to be logged) with every occurrence of `secret` masked.
std::string RedactSecret(std::string_view text, std::string_view secret);

}  // namespace edgechat::shared
