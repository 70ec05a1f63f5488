// The input rules of the services, written once: a text field is trimmed and measured in code
// points, a number has one range, a locale one grammar. Internal to worker/service/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::worker::rules {

// Text of `field`: valid UTF-8, trimmed, then min..max code points. Error{kInvalidInput,
// "invalid_text"}.
Result<std::string> Text(std::string_view field, std::string_view value, std::size_t min,
                         std::size_t max);
// The same for an optional value (absent stays absent).
Result<std::optional<std::string>> OptionalText(std::string_view field,
                                                const std::optional<std::string>& value,
                                                std::size_t min, std::size_t max);
// A whole number of `field` from min to max, else Error{kInvalidInput, "invalid_number"}.
Result<std::optional<unsigned>> Number(std::string_view field,
                                       const std::optional<std::int64_t>& value, unsigned min,
                                       unsigned max);

}  // namespace edgechat::worker::rules
