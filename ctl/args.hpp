// Command-line parsing for edgechatctl: pure functions, unit-tested.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::ctl {

// Exit codes, documented in docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // anything else that went wrong
inline constexpr int kExitUsage = 2;        // bad usage or invalid value
inline constexpr int kExitConflict = 3;     // not found, or conflicts with existing data
inline constexpr int kExitUnreachable = 4;  // database (or Redis) unreachable

// The exit code for an Error's code.
int ExitCodeFor(const Error& error);

struct FlagSpec {
  std::string name;          // without dashes: "site" for --site
  bool takes_value = false;  // --name VALUE or --name=VALUE
  bool repeatable = false;   // may be given more than once
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;  // flags with values
  std::map<std::string, bool> switches;                    // flags without values

  bool Has(const std::string& name) const {
    return switches.count(name) != 0 || values.count(name) != 0;
  }
  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
};

// Flags every command accepts.
const std::vector<FlagSpec>& GlobalFlags();

// Parses `args` against `flags` (plus GlobalFlags). "--" ends flags. Unknown flags, missing
// values and repeated non-repeatable flags are Error{kInvalidInput, "usage"}.
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& flags);

// Splits argv (without the program name) into the command words ("site", "add") and the rest.
// Leading global flags may come before the words; they are kept in the rest.
struct CommandLine {
  std::vector<std::string> words;
  std::vector<std::string> rest;
};
CommandLine SplitCommand(const std::vector<std::string>& args, std::size_t max_words);

// "#2563eb" style colour (lower-cased on return), else Error{kInvalidInput, "usage"}.
Result<std::string> ParseColor(const std::string& text);
// A positive integer up to `max`, else Error{kInvalidInput, "usage"} naming the flag.
Result<unsigned> ParsePositive(const std::string& flag, const std::string& text, unsigned max);

// An ISO date or date-time in UTC ("2026-11-28", "2026-11-28T05:00", "2026-11-28T05:00:00Z")
// as MySQL DATETIME text ("2026-11-28 05:00:00"), else Error{kInvalidInput, "usage"}.
Result<std::string> ParseSince(const std::string& text);

}  // namespace edgechat::ctl
