// The ASCII character classes edgechat's formats are written in (identifiers, tokens, header
// values). Locale-independent, unlike <cctype>.
#pragma once

namespace edgechat::shared {

// [A-Za-z0-9]: the random part of site keys, guest ids and worker ids.
constexpr bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9_-]: base64url without padding (guest tokens, stream tickets), route ids, sender ids.
constexpr bool IsBase64UrlChar(char c) {
  return IsAsciiAlnum(c) || c == '_' || c == '-';
}

constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace edgechat::shared
