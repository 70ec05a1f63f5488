#include "store/mysql_util.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace edgechat::worker {

namespace {

std::string Format(std::chrono::system_clock::time_point t, bool micros) {
  using namespace std::chrono;
  auto at = time_point_cast<microseconds>(t);
  auto seconds_part = floor<seconds>(at);
  std::time_t secs = system_clock::to_time_t(seconds_part);
  long long fraction = micros ? duration_cast<microseconds>(at - seconds_part).count() : 0;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld", fraction);
  return buf;
}

}  // namespace

std::string MysqlUtcMicros(std::chrono::system_clock::time_point t) {
  return Format(t, true);
}

std::string MysqlUtcPlusDays(std::chrono::system_clock::time_point t, unsigned days) {
  return Format(t + std::chrono::hours(24) * days, false);
}

}  // namespace edgechat::worker
