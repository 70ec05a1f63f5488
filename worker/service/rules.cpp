#include "service/rules.hpp"

#include "common/text.hpp"

namespace edgechat::worker::rules {

Result<std::string> Text(std::string_view field, std::string_view value, std::size_t min,
                         std::size_t max) {
  if (!IsValidUtf8(value))
    return Error{ErrorKind::kInvalidInput, "invalid_text", std::string(field) + " is not UTF-8"};
  std::string text(TrimText(value));
  std::size_t length = CountCodePoints(text);
  if (length < min || length > max) {
    return Error{ErrorKind::kInvalidInput, "invalid_text",
                 std::string(field) + " must have " +
                     (min == 0 ? "at most " : std::to_string(min) + " to ") + std::to_string(max) +
                     " characters"};
  }
  return text;
}

Result<std::optional<std::string>> OptionalText(std::string_view field,
                                                const std::optional<std::string>& value,
                                                std::size_t min, std::size_t max) {
  if (!value) return std::optional<std::string>();
  auto text = Text(field, *value, min, max);
  if (!text) return text.error();
  return std::optional<std::string>(std::move(text).value());
}

Result<std::optional<unsigned>> Number(std::string_view field,
                                       const std::optional<std::int64_t>& value, unsigned min,
                                       unsigned max) {
  if (!value) return std::optional<unsigned>();
  if (*value < min || *value > max) {
    return Error{ErrorKind::kInvalidInput, "invalid_number",
                 std::string(field) + " must be a whole number from " + std::to_string(min) +
                     " to " + std::to_string(max)};
  }
  return std::optional<unsigned>(static_cast<unsigned>(*value));
}

}  // namespace edgechat::worker::rules
