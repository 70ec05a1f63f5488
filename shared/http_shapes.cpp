#include "shared/http_shapes.hpp"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace edgechat::shared {
namespace {

// FNV-1a, 64 bits. Two different offsets give 128 bits: plenty to tell file versions apart.
std::uint64_t Fnv1a(std::string_view data, std::uint64_t offset) {
  std::uint64_t hash = offset;
  for (unsigned char byte : data) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void AppendHex(std::string& out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kDigits[(value >> shift) & 0xf]);
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view Opaque(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string StrongEtag(std::string_view content) {
  std::string etag = "\"";
  AppendHex(etag, Fnv1a(content, 0xcbf29ce484222325ULL));
  AppendHex(etag, Fnv1a(content, 0x84222325cbf29ce4ULL) ^ content.size());
  etag.push_back('"');
  return etag;
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  if_none_match = TrimOws(if_none_match);
  if (if_none_match == "*") return true;
  std::string_view wanted = Opaque(etag);
  while (!if_none_match.empty()) {
    std::size_t comma = if_none_match.find(',');
    std::string_view candidate = TrimOws(if_none_match.substr(0, comma));
    if (!candidate.empty() && Opaque(candidate) == wanted) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", code}, {"message", message}};
  // Replacement keeps invalid UTF-8 from a caller from throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgechat::shared
