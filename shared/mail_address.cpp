#include "shared/mail_address.hpp"

namespace edgechat::shared {

Status CheckMailAddress(std::string_view address) {
  auto refuse = [&](const std::string& why) -> Status {
    return Error{ErrorKind::kInvalidInput, "invalid_email", "not a usable email address: " + why};
  };
  if (address.empty() || address.size() > kMaxEmailLength)
    return refuse("empty or longer than 254");
  std::size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return refuse("needs exactly one @ with text on both sides");
  }
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return refuse("only printable ASCII without spaces");
    if (std::string_view("<>()[],;:\"\\").find(c) != std::string_view::npos)
      return refuse("contains a character not allowed in an address");
  }
  std::string_view domain = address.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return refuse("the domain is malformed");
  return Ok{};
}

}  // namespace edgechat::shared
