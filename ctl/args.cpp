#include "ctl/args.hpp"

#include <charconv>

#include "shared/site_defaults.hpp"

namespace edgechat::ctl {

int ExitCodeFor(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kInvalidInput:
      return kExitUsage;
    case ErrorKind::kNotFound:
    case ErrorKind::kConflict:
      return kExitConflict;
    case ErrorKind::kUnavailable:
      return kExitUnreachable;
    default:
      return kExitFailure;
  }
}

std::optional<std::string> ParsedArgs::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return {};
  return it->second;
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"config", true, false}, {"json", false, false}, {"help", false, false}};
  return *flags;
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& flags) {
  auto find = [&](const std::string& name) -> const FlagSpec* {
    for (const auto& f : flags)
      if (f.name == name) return &f;
    for (const auto& f : GlobalFlags())
      if (f.name == name) return &f;
    return nullptr;
  };
  ParsedArgs out;
  bool flags_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || !arg.starts_with("--")) {
      if (arg == "-h" && !flags_done) {
        out.switches["help"] = true;
        continue;
      }
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = find(name);
    if (spec == nullptr)
      return Error{ErrorKind::kInvalidInput, "usage", "unknown option --" + name};
    if (!spec->repeatable && out.Has(name)) {
      return Error{ErrorKind::kInvalidInput, "usage", "--" + name + " given more than once"};
    }
    if (!spec->takes_value) {
      if (inline_value)
        return Error{ErrorKind::kInvalidInput, "usage", "--" + name + " takes no value"};
      out.switches[name] = true;
      continue;
    }
    if (inline_value) {
      out.values[name].push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      out.values[name].push_back(args[++i]);
    } else {
      return Error{ErrorKind::kInvalidInput, "usage", "--" + name + " needs a value"};
    }
  }
  return out;
}

CommandLine SplitCommand(const std::vector<std::string>& args, std::size_t max_words) {
  CommandLine out;
  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& arg = args[i];
    if (arg == "--config") {
      out.rest.push_back(arg);
      if (i + 1 < args.size()) out.rest.push_back(args[i + 1]);
      i += 2;
    } else if (arg.starts_with("--") || arg == "-h") {
      out.rest.push_back(arg);
      ++i;
    } else if (out.words.size() < max_words) {
      out.words.push_back(arg);
      ++i;
      // Words stop at the first flag after them.
      if (i < args.size() && args[i].starts_with("-")) break;
    } else {
      break;
    }
  }
  for (; i < args.size(); ++i) out.rest.push_back(args[i]);
  return out;
}

Result<std::string> ParseColor(const std::string& text) {
  auto color = shared::ParseColor(text);
  if (!color) return Error{ErrorKind::kInvalidInput, "usage", color.error().message};
  return color;
}

Result<unsigned> ParsePositive(const std::string& flag, const std::string& text, unsigned max) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > max) {
    return Error{ErrorKind::kInvalidInput, "usage",
                 "--" + flag + " must be a number from 1 to " + std::to_string(max)};
  }
  return value;
}

// "2026-11-28", "2026-11-28T05:00", "2026-11-28T05:00:00Z" -> "2026-11-28 05:00:00".
Result<std::string> ParseSince(const std::string& text) {
  auto digits = [&](std::size_t pos, std::size_t n) {
    if (pos + n > text.size()) return false;
    for (std::size_t i = pos; i < pos + n; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  bool date = text.size() >= 10 && digits(0, 4) && text[4] == '-' && digits(5, 2) &&
              text[7] == '-' && digits(8, 2);
  if (!date)
    return Error{ErrorKind::kInvalidInput, "usage",
                 "--since must be an ISO date like 2026-11-28T05:00:00Z"};
  std::string out = text.substr(0, 10);
  if (text.size() == 10) return out + " 00:00:00";
  if ((text[10] == 'T' || text[10] == ' ') && digits(11, 2) && text.size() >= 16 &&
      text[13] == ':' && digits(14, 2)) {
    std::string seconds = "00";
    if (text.size() >= 19 && text[16] == ':' && digits(17, 2)) seconds = text.substr(17, 2);
    return out + " " + text.substr(11, 5) + ":" + seconds;
  }
  return Error{ErrorKind::kInvalidInput, "usage",
               "--since must be an ISO date like 2026-11-28T05:00:00Z"};
}

}  // namespace edgechat::ctl
