// Structured logs: one JSON object per line on stderr ({"ts","level","component","msg"}).
#pragma once

#include <string_view>

namespace edgechat::worker {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug" | "info" | "warn" | "error"; anything else keeps the current level.
void SetLogLevel(std::string_view level);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view component, std::string_view message);

inline void LogDebug(std::string_view c, std::string_view m) {
  Log(LogLevel::kDebug, c, m);
}
inline void LogInfo(std::string_view c, std::string_view m) {
  Log(LogLevel::kInfo, c, m);
}
inline void LogWarn(std::string_view c, std::string_view m) {
  Log(LogLevel::kWarn, c, m);
}
inline void LogError(std::string_view c, std::string_view m) {
  Log(LogLevel::kError, c, m);
}

}  // namespace edgechat::worker
