#include "shared/site_defaults.hpp"

namespace edgechat::shared {

Result<std::string> ParseColor(std::string_view text) {
  auto invalid = [&] {
    return Error{ErrorKind::kInvalidInput, "invalid_color",
                 "colour must look like #2563eb, got \"" + std::string(text) + "\""};
  };
  if (text.size() != 7 || text[0] != '#') return invalid();
  std::string out = "#";
  for (char c : text.substr(1)) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return invalid();
    out.push_back(c);
  }
  return out;
}

}  // namespace edgechat::shared
