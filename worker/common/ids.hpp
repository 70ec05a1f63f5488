// Identifiers and secrets: site keys, guest ids, guest tokens, and the hashes we store instead of
// secrets. Formats are fixed by docs/architecture.md ("Identifiers").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "shared/ids.hpp"

namespace edgechat::worker {

// Fills a buffer with cryptographically secure random bytes. Injected so tests can be repeatable.
using RandomFill = std::function<void(unsigned char* out, std::size_t size)>;

// libsodium's randombytes_buf. Calls sodium_init() once.
RandomFill SodiumRandom();

// `length` characters of [A-Za-z0-9], drawn without modulo bias.
std::string RandomAlnum(const RandomFill& random, std::size_t length);

// The formats are shared/ids.hpp's (checked there by shared::IsValidSiteKey).
std::string NewSiteKey(const RandomFill& random);     // "ek_" + 24 alnum
std::string NewGuestId(const RandomFill& random);     // "g_" + 24 alnum
std::string NewGuestToken(const RandomFill& random);  // 32 random bytes, base64url, no padding
// A worker process's id in its Redis notices: "w_" + 24 alnum, new at every start.
std::string NewWorkerId(const RandomFill& random);

std::string Base64UrlNoPad(std::string_view bytes);
std::string Sha256Hex(std::string_view data);
// Lowercase hex of `size` bytes, and back (either case; nullopt when `hex` is not hex).
std::string LowerHex(const unsigned char* bytes, std::size_t size);
std::optional<std::string> BytesOfHex(std::string_view hex);

// A row id as a URL carries it: 1 to 19 decimal digits, not zero, nothing else.
std::optional<std::uint64_t> ParseId(std::string_view text);
// The guest token's shape is shared::LooksLikeGuestToken (shared/guest_token.hpp), shared with the
// edge.

}  // namespace edgechat::worker
