#include "shared/site_defaults.hpp"

namespace edgechat::shared {

std::string NormalizeColor(std::string_view text) {
  if (text.size() != 7 || text[0] != '#') return {};
  std::string out = "#";
  for (char c : text.substr(1)) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    out.push_back(c);
  }
  return out;
}

}  // namespace edgechat::shared
