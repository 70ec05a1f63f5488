#include "shared/guest_token.hpp"

#include <algorithm>

#include "shared/ascii.hpp"

namespace edgechat::shared {
namespace {}  // namespace

bool LooksLikeGuestToken(std::string_view token) {
  return token.size() == kGuestTokenLength &&
         std::all_of(token.begin(), token.end(), IsBase64UrlChar);
}

std::optional<std::string_view> BearerCredential(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                  [](char want, char got) { return want == AsciiLower(got); })) {
    return std::nullopt;
  }
  std::string_view rest = authorization.substr(kScheme.size());
  std::size_t spaces = rest.find_first_not_of(' ');
  if (spaces == 0 || spaces == std::string_view::npos) return std::nullopt;
  return rest.substr(spaces);
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  std::optional<std::string_view> token = BearerCredential(authorization);
  if (!token || !LooksLikeGuestToken(*token)) return std::nullopt;
  return token;
}

}  // namespace edgechat::shared
