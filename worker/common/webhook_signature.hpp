// The signature of a webhook delivery (issue 13, item 3): the header
//   Edgechat-Signature: t=UNIX,v1=HEX(HMAC-SHA256(secret, t + "." + body))
// and the endpoint's signing secret, "whsec_" + 32 characters of [A-Za-z0-9].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/ids.hpp"

namespace edgechat::worker {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

std::string NewWebhookSecret(const RandomFill& random);

// Lowercase hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// "t=<unix_seconds>,v1=<hex>".
std::string WebhookSignatureHeader(std::string_view secret, std::int64_t unix_seconds,
                                   std::string_view body);

// What a receiver must do (the check docs will show receivers): parses the header, checks |now - t|
// <= tolerance_s and compares the v1 value in constant time. Several v1= values (a rotation in
// progress on the receiver's side) may be present; any match passes.
bool VerifyWebhookSignature(std::string_view header, std::string_view secret, std::string_view body,
                            std::int64_t now_unix_seconds, std::int64_t tolerance_s = 300);

}  // namespace edgechat::worker
