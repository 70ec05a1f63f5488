// Text rules shared by the worker and the CLI: UTF-8 validation, trimming, message limits, and
// the timestamp format of the API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/result.hpp"
#include "shared/site_defaults.hpp"

namespace edgechat::worker {

inline constexpr std::size_t kMaxMessageLength = shared::kMaxMessageLength;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

// Number of code points; `text` must be valid UTF-8.
std::size_t CountCodePoints(std::string_view text);

// Drops leading and trailing Unicode white space (and zero-width spaces / BOM, which render as
// nothing). `text` must be valid UTF-8.
std::string_view TrimText(std::string_view text);

// The text a guest or agent sends: valid UTF-8, not blank, at most kMaxMessageLength code points
// after trimming. Returns the trimmed text or Error{kInvalidInput, "invalid_text", ...}.
Result<std::string> ValidateMessageText(std::string_view text,
                                        std::size_t max_length = kMaxMessageLength);

// A clientId: 1..64 characters of [A-Za-z0-9._:-] (ASCII only, as the schema stores it).
bool IsValidClientId(std::string_view client_id);

// MySQL DATETIME(6) text in UTC ("2026-01-02 03:04:05.678901") to ISO-8601 with milliseconds
// ("2026-01-02T03:04:05.678Z"). Unexpected input is returned unchanged.
std::string MysqlUtcToIso(std::string_view datetime);

}  // namespace edgechat::worker
