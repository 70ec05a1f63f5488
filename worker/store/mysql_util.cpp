#include "store/mysql_util.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace edgechat::worker {

std::string MysqlUtcNowPlusDays(unsigned days) {
  std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S.000000", &tm);
  return buf;
}

std::string MysqlUtcNowMicros() {
  using namespace std::chrono;
  auto now = time_point_cast<microseconds>(system_clock::now());
  std::time_t t = system_clock::to_time_t(time_point_cast<seconds>(now));
  auto micros = (now.time_since_epoch() % seconds(1)).count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micros));
  return buf;
}

}  // namespace edgechat::worker
