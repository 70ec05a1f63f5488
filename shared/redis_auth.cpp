#include "shared/redis_auth.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/unique_fd.hpp"

namespace edgechat::shared {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

Error SystemError(const char* what, int error) {
  return Error{ErrorKind::kInvalidInput, "secret_unreadable",
               std::string(what) + ": " + std::strerror(error)};
}

}  // namespace

bool LooksLikeRedisTls(std::string_view address) {
  return StartsWithNoCase(address, "rediss://") || StartsWithNoCase(address, "tls:");
}

std::vector<std::string_view> RedisCredentials::AuthCommand() const {
  std::vector<std::string_view> args{"AUTH"};
  if (!user.empty()) args.push_back(user);
  args.push_back(password);
  return args;
}

Status CheckRedisUser(std::string_view user) {
  if (user.empty() || user.size() > 128) {
    return Error{ErrorKind::kInvalidInput, "invalid_redis_user",
                 "a Redis user name has 1 to 128 characters"};
  }
  for (char c : user) {
    if (c <= ' ' || c > '~') {
      return Error{ErrorKind::kInvalidInput, "invalid_redis_user",
                   "a Redis user name has printable ASCII characters only, no spaces"};
    }
  }
  return Ok{};
}

Result<std::string> ReadSecretFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return SystemError("cannot open", errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return SystemError("cannot stat", errno);
  if (!S_ISREG(info.st_mode))
    return Error{ErrorKind::kInvalidInput, "secret_unreadable", "not a regular file"};
  std::string text;
  char chunk[1024];
  for (;;) {
    ssize_t got = ::read(fd.get(), chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR) continue;
      return SystemError("cannot read", errno);
    }
    if (got == 0) break;
    text.append(chunk, static_cast<std::size_t>(got));
    if (text.size() > kMaxSecretFileBytes) {
      return Error{
          ErrorKind::kInvalidInput, "secret_invalid",
          "larger than " + std::to_string(kMaxSecretFileBytes) + " bytes: not a password file"};
    }
  }
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  if (text.empty())
    return Error{ErrorKind::kInvalidInput, "secret_invalid", "empty: it must hold the password"};
  if (text.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos) {
    return Error{ErrorKind::kInvalidInput, "secret_invalid",
                 "holds a NUL or a line break inside the password"};
  }
  return text;
}

std::string RedactSecret(std::string_view text, std::string_view secret) {
  std::string out(text);
  if (secret.empty()) return out;
  for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
    out.replace(at, secret.size(), "***");
  }
  return out;
}

}  // namespace edgechat::shared
