// The one rule for an email address edgechat will put in a mail header and an SMTP envelope:
// an agent's address in their mail preferences, and (later) a visitor's left for an email reply.
// Deliberately narrower than RFC 5322: printable ASCII, exactly one '@' with text on both sides,
// no spaces, no CR/LF, none of <>()[],;:" or backslash, a domain without empty labels at the
// ends, at most 254 characters. Anything else is Error{kInvalidInput, "invalid_email"}.
#pragma once

#include <cstddef>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::shared {

inline constexpr std::size_t kMaxEmailLength = 254;

Status CheckMailAddress(std::string_view address);

}  // namespace edgechat::shared
