#include "common/text.hpp"

#include <cstdint>

namespace edgechat::worker {
namespace {

// Decodes one code point at `pos`; returns its length in bytes or 0 when invalid.
std::size_t DecodeOne(std::string_view s, std::size_t pos, char32_t& cp) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(pos);
  std::size_t len;
  char32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    unsigned char b = byte(pos + i);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool IsBlank(char32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0x2060:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  std::size_t pos = 0;
  char32_t cp;
  while (pos < text.size()) {
    std::size_t len = DecodeOne(text, pos, cp);
    if (len == 0) return false;
    pos += len;
  }
  return true;
}

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

std::string_view TrimText(std::string_view text) {
  std::size_t begin = 0;
  char32_t cp;
  while (begin < text.size()) {
    std::size_t len = DecodeOne(text, begin, cp);
    if (len == 0 || !IsBlank(cp)) break;
    begin += len;
  }
  std::size_t end = text.size();
  while (end > begin) {
    // Step back to the start of the last code point.
    std::size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    std::size_t len = DecodeOne(text, start, cp);
    if (len == 0 || !IsBlank(cp)) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

Result<std::string> ValidateMessageText(std::string_view text, std::size_t max_length) {
  if (!IsValidUtf8(text))
    return Error{ErrorKind::kInvalidInput, "invalid_text", "Text must be valid UTF-8."};
  std::string_view trimmed = TrimText(text);
  if (trimmed.empty())
    return Error{ErrorKind::kInvalidInput, "invalid_text", "Text must not be empty."};
  if (trimmed.find('\0') != std::string_view::npos)
    return Error{ErrorKind::kInvalidInput, "invalid_text", "Text must not contain NUL characters."};
  if (CountCodePoints(trimmed) > max_length)
    return Error{ErrorKind::kInvalidInput, "invalid_text",
                 "Text is longer than " + std::to_string(max_length) + " characters."};
  return std::string(trimmed);
}

bool IsValidClientId(std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 64) return false;
  for (char c : client_id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string MysqlUtcToIso(std::string_view datetime) {
  // "YYYY-MM-DD HH:MM:SS" with an optional fraction.
  if (datetime.size() < 19 || datetime[10] != ' ') return std::string(datetime);
  std::string out(datetime.substr(0, 19));
  out[10] = 'T';
  std::string millis = "000";
  if (datetime.size() > 20 && datetime[19] == '.') {
    std::string_view frac = datetime.substr(20);
    for (std::size_t i = 0; i < 3 && i < frac.size(); ++i) millis[i] = frac[i];
  }
  out += '.';
  out += millis;
  out += 'Z';
  return out;
}

}  // namespace edgechat::worker
