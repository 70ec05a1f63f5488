#include "shared/ids.hpp"

#include <algorithm>

namespace edgechat::shared {

bool IsValidSiteKey(std::string_view key) {
  if (key.size() != kSiteKeyPrefix.size() + kIdRandomLength || !key.starts_with(kSiteKeyPrefix)) {
    return false;
  }
  return std::all_of(key.begin() + kSiteKeyPrefix.size(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

}  // namespace edgechat::shared
