#include "common/tzif.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

namespace edgechat::worker {

namespace {

Error BadZone(std::string_view name, std::string_view why) {
  return Error{ErrorKind::kInvalidInput, "invalid_time_zone",
               "Unknown time zone \"" + std::string(name) + "\" (" + std::string(why) +
                   "); use an IANA name such as Europe/Berlin or Asia/Tehran."};
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Reads big-endian integers from a byte range.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool Has(std::size_t n) const { return bytes_.size() - pos_ >= n; }
  std::int64_t Signed(std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
      v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += width;
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
  }
  std::uint8_t Byte() { return static_cast<std::uint8_t>(bytes_[pos_++]); }
  void Skip(std::size_t n) { pos_ += n; }
  std::size_t pos() const { return pos_; }
  std::string_view Rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct Header {
  char version = 0;
  std::uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool ReadHeader(Reader& r, Header& h) {
  if (!r.Has(44)) return false;
  std::string_view rest = r.Rest();
  if (rest.substr(0, 4) != "TZif") return false;
  h.version = rest[4];
  r.Skip(20);
  h.isut = static_cast<std::uint32_t>(r.Signed(4));
  h.isstd = static_cast<std::uint32_t>(r.Signed(4));
  h.leap = static_cast<std::uint32_t>(r.Signed(4));
  h.time = static_cast<std::uint32_t>(r.Signed(4));
  h.type = static_cast<std::uint32_t>(r.Signed(4));
  h.chars = static_cast<std::uint32_t>(r.Signed(4));
  return h.type >= 1 && h.type <= 256 && h.time <= 100000 && h.chars <= 100000 &&
         h.leap <= 100000 && h.isut <= 256 && h.isstd <= 256;
}

std::size_t DataSize(const Header& h, std::size_t time_width) {
  return h.time * time_width + h.time + h.type * 6 + h.chars + h.leap * (time_width + 4) + h.isstd +
         h.isut;
}

// --- POSIX TZ strings ---

class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ >= s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      std::size_t close = s_.find('>', i_);
      if (close == std::string_view::npos) return false;
      i_ = close + 1;
      return true;
    }
    std::size_t start = i_;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ - start >= 3;
  }
  bool Number(int& out, int max_digits) {
    std::size_t start = i_;
    out = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])) &&
           i_ - start < static_cast<std::size_t>(max_digits)) {
      out = out * 10 + (s_[i_] - '0');
      ++i_;
    }
    return i_ > start;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool Time(std::int32_t& out) {
    int sign = 1;
    if (Eat('-'))
      sign = -1;
    else
      Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(h, 3) || h > 167) return false;
    if (Eat(':')) {
      if (!Number(m, 2) || m > 59) return false;
      if (Eat(':') && (!Number(sec, 2) || sec > 59)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool Date(PosixZoneRule::Date& d) {
    if (!Eat('M')) return false;  // Jn and n forms are not used by tzdata's zones
    if (!Number(d.month, 2) || d.month < 1 || d.month > 12 || !Eat('.')) return false;
    if (!Number(d.week, 1) || d.week < 1 || d.week > 5 || !Eat('.')) return false;
    if (!Number(d.weekday, 1) || d.weekday > 6) return false;
    d.time = 7200;
    if (Eat('/') && !Time(d.time)) return false;
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Local seconds (since the epoch, as if local were UTC) of a rule date in `year`.
std::int64_t LocalSecondsOf(int year, const PosixZoneRule::Date& d) {
  std::int64_t first = DaysFromCivil(year, d.month, 1);
  int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01: Thursday
  int day = 1 + (d.weekday - first_weekday + 7) % 7 + (d.week - 1) * 7;
  while (day > DaysInMonth(year, d.month)) day -= 7;
  return (first + day - 1) * 86400 + d.time;
}

std::int32_t RuleOffsetAt(const PosixZoneRule& rule, std::int64_t unix_s) {
  if (!rule.has_dst) return rule.std_offset;
  int year = CivilFromDays(FloorDiv(unix_s + rule.std_offset, 86400)).year;
  // A transition is written in the local time in force before it.
  std::int64_t start = LocalSecondsOf(year, rule.start) - rule.std_offset;
  std::int64_t end = LocalSecondsOf(year, rule.end) - rule.dst_offset;
  bool dst = start < end ? (unix_s >= start && unix_s < end)    // northern hemisphere
                         : !(unix_s >= end && unix_s < start);  // southern: DST spans new year
  return dst ? rule.dst_offset : rule.std_offset;
}

}  // namespace

std::int64_t DaysFromCivil(int year, int month, int day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::optional<PosixZoneRule> ParsePosixZoneRule(std::string_view text) {
  RuleParser p(text);
  PosixZoneRule rule;
  std::int32_t west = 0;
  if (!p.Name() || !p.Time(west)) return std::nullopt;
  rule.std_offset = -west;
  if (p.AtEnd()) return rule;
  if (!p.Name()) return std::nullopt;
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (!p.Peek(',')) {
    if (!p.Time(west)) return std::nullopt;
    rule.dst_offset = -west;
  }
  if (!p.Eat(',') || !p.Date(rule.start) || !p.Eat(',') || !p.Date(rule.end) || !p.AtEnd()) {
    return std::nullopt;
  }
  return rule;
}

bool IsValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  bool part_start = true;
  for (char c : name) {
    bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (c == '/') {
      if (part_start) return false;
      part_start = true;
      continue;
    }
    if (!alnum && c != '_' && c != '+' && c != '-') return false;
    if (part_start && !alnum) return false;
    part_start = false;
  }
  return !part_start;
}

Result<TimeZone> ParseTzif(std::string_view name, std::string_view bytes) {
  Reader r(bytes);
  Header h;
  if (!ReadHeader(r, h)) return BadZone(name, "not a TZif file");
  std::size_t width = 4;
  if (h.version >= '2') {  // skip the 32-bit block: the 64-bit one follows with its own header
    if (!r.Has(DataSize(h, 4))) return BadZone(name, "truncated TZif file");
    r.Skip(DataSize(h, 4));
    if (!ReadHeader(r, h)) return BadZone(name, "truncated TZif file");
    width = 8;
  }
  if (!r.Has(DataSize(h, width))) return BadZone(name, "truncated TZif file");
  TimeZone zone;
  zone.name_ = std::string(name);
  zone.transitions_.reserve(h.time);
  for (std::uint32_t i = 0; i < h.time; ++i) zone.transitions_.push_back(r.Signed(width));
  for (std::uint32_t i = 0; i < h.time; ++i) {
    std::uint8_t t = r.Byte();
    if (t >= h.type) return BadZone(name, "damaged TZif file");
    zone.type_of_.push_back(t);
  }
  for (std::uint32_t i = 0; i < h.type; ++i) {
    std::int64_t offset = r.Signed(4);
    r.Skip(2);  // isdst, abbreviation index
    if (offset < -89999 || offset > 93599) return BadZone(name, "damaged TZif file");
    zone.offsets_.push_back(static_cast<std::int32_t>(offset));
  }
  if (!std::is_sorted(zone.transitions_.begin(), zone.transitions_.end())) {
    return BadZone(name, "damaged TZif file");
  }
  r.Skip(h.chars + h.leap * (width + 4) + h.isstd + h.isut);
  if (width == 8) {
    std::string_view rest = r.Rest();
    if (rest.size() >= 2 && rest[0] == '\n') {
      std::size_t end = rest.find('\n', 1);
      if (end != std::string_view::npos && end > 1) {
        zone.footer_ = ParsePosixZoneRule(rest.substr(1, end - 1));
      }
    }
  }
  return zone;
}

std::int32_t TimeZone::OffsetAt(std::int64_t unix_s) const {
  if (transitions_.empty()) return footer_ ? RuleOffsetAt(*footer_, unix_s) : offsets_.front();
  if (unix_s < transitions_.front()) return offsets_.front();
  if (unix_s >= transitions_.back() && footer_) return RuleOffsetAt(*footer_, unix_s);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_s);
  return offsets_[type_of_[static_cast<std::size_t>(it - transitions_.begin()) - 1]];
}

Result<TimeZone> LoadTimeZone(std::string_view name, const std::string& dir) {
  if (!IsValidZoneName(name)) return BadZone(name, "not a zone name");
  std::ifstream in(dir + "/" + std::string(name), std::ios::binary);
  if (!in) return BadZone(name, "no such zone");
  std::string bytes;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > (1u << 20)) return BadZone(name, "file too large");
  }
  return ParseTzif(name, bytes);
}

}  // namespace edgechat::worker
