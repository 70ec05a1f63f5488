#include "common/visitor_context.hpp"

#include <array>
#include <cctype>

#include "common/text.hpp"
#include "common/tzif.hpp"

namespace edgechat::worker {

namespace {

// The code point at `text[i]` (valid UTF-8) and its length in bytes.
char32_t Decode(std::string_view text, std::size_t i, std::size_t& length) {
  const auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80) {
    length = 1;
    return b;
  }
  length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
  char32_t cp = b & (0x3F >> (length - 1));
  for (std::size_t k = 1; k < length; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  return cp;
}

bool IsRefused(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Valid UTF-8 without refused characters, trimmed; empty for invalid UTF-8.
std::string Clean(std::string_view raw) {
  if (!IsValidUtf8(raw)) return {};
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    std::size_t length = 0;
    const char32_t cp = Decode(raw, i, length);
    if (!IsRefused(cp)) out.append(raw.substr(i, length));
    i += length;
  }
  return std::string(TrimText(out));
}

// The first `max` code points of `text` (valid UTF-8).
std::string_view Prefix(std::string_view text, std::size_t max) {
  std::size_t i = 0;
  for (std::size_t count = 0; i < text.size() && count < max; ++count) {
    std::size_t length = 0;
    Decode(text, i, length);
    i += length;
  }
  return text.substr(0, i);
}

std::string CleanText(std::string_view raw, std::size_t max) {
  std::string text = Clean(raw);
  if (CountCodePoints(text) <= max) return text;
  return std::string(TrimText(Prefix(text, max - 1))) + "\u2026";
}

std::string CleanUrl(std::string_view raw) {
  std::string url = Clean(raw);
  if (const auto hash = url.find('#'); hash != std::string::npos) url.resize(hash);
  if (url.empty() || CountCodePoints(url) > kMaxContextUrlLength) return {};
  std::string lower;
  for (char c : url.substr(0, 8))
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t head = 0;
  if (lower.starts_with("http://"))
    head = 7;
  else if (lower.starts_with("https://"))
    head = 8;
  else
    return {};
  const std::size_t host_end = url.find_first_of("/?", head);
  const std::string_view host = std::string_view(url).substr(
      head, host_end == std::string::npos ? std::string::npos : host_end - head);
  if (host.empty() || host.find('@') != std::string_view::npos) return {};
  for (unsigned char c : url) {
    if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`') return {};
  }
  return url;
}

bool IsLanguageTag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxContextLanguageLength) return false;
  if (!std::isalpha(static_cast<unsigned char>(tag[0]))) return false;
  for (unsigned char c : tag) {
    if (!std::isalnum(c) && c != '-') return false;
  }
  return true;
}

constexpr std::array<std::string_view, 8> kBrowserFamilies = {
    "chrome", "edge", "firefox", "safari", "opera", "samsung", "other", "bot"};

}  // namespace

bool IsKnownBrowserFamily(std::string_view name) {
  for (auto family : kBrowserFamilies) {
    if (family == name) return true;
  }
  return false;
}

VisitorContext NormalizeVisitorContext(VisitorContext raw) {
  VisitorContext out;
  out.page_url = CleanUrl(raw.page_url);
  out.referrer = CleanUrl(raw.referrer);
  out.page_title = CleanText(raw.page_title, kMaxContextTitleLength);
  std::string language = Clean(raw.language);
  if (IsLanguageTag(language)) out.language = std::move(language);
  std::string zone = Clean(raw.time_zone);
  if (zone.size() <= kMaxContextTimeZoneLength && IsValidZoneName(zone)) {
    out.time_zone = std::move(zone);
  }
  std::string browser = Clean(raw.browser);
  for (char& c : browser) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!browser.empty()) out.browser = IsKnownBrowserFamily(browser) ? browser : "other";
  return out;
}

std::string VisitorDisplayName(std::uint64_t guest_number,
                               const std::optional<std::string>& verified_name) {
  if (verified_name && !TrimText(*verified_name).empty()) {
    return std::string(TrimText(*verified_name));
  }
  return "Visitor " + std::to_string(guest_number);
}

}  // namespace edgechat::worker
