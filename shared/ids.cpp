#include "shared/ids.hpp"

#include <algorithm>

#include "shared/ascii.hpp"

namespace edgechat::shared {

bool IsValidSiteKey(std::string_view key) {
  if (key.size() != kSiteKeyPrefix.size() + kIdRandomLength || !key.starts_with(kSiteKeyPrefix)) {
    return false;
  }
  return std::all_of(key.begin() + kSiteKeyPrefix.size(), key.end(), IsAsciiAlnum);
}

}  // namespace edgechat::shared
