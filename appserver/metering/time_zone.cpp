#include "appserver/metering/time_zone.h"

#include <fmt/format.h>

#include "common/byte_reader.h"
#include "common/civil_time.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace uchet::appserver {
namespace {

constexpr std::int64_t kDay = 86400;
// RFC 8536 bounds every UT offset to -25:59:59..+25:59:59, which bounds every local-time search.
constexpr std::int64_t kMaxOffset = 93599;

using common::civil_from_days;
using common::days_from_civil;
using common::days_in_month;
using common::floor_div;

// ---- POSIX TZ string (the TZif footer) ------------------------------------------------------

class TzStringParser {
 public:
  explicit TzStringParser(std::string_view s) : s_(s) {}

  Result<TimeZone::PosixTz> parse() {
    TimeZone::PosixTz tz;
    if (!name()) return fail("standard time name");
    auto std_off = hms(24);
    if (!std_off) return fail("standard time offset");
    tz.std_offset = -*std_off;  // POSIX counts west of UTC positive
    if (done()) return tz;
    if (!name()) return fail("DST name");
    tz.dst_offset = tz.std_offset + 3600;
    if (!done() && peek() != ',') {
      auto dst_off = hms(24);
      if (!dst_off) return fail("DST offset");
      tz.dst_offset = -*dst_off;
    }
    // Every footer tzcode writes has explicit rules; POSIX's implementation-defined default is not guessed.
    if (done()) return fail("DST rules (a DST zone without ,start,end rules is not supported)");
    if (!eat(',') || !rule(tz.start) || !eat(',') || !rule(tz.end) || !done()) return fail("DST rules");
    return tz;
  }

 private:
  std::unexpected<std::string> fail(std::string_view what) const {
    return std::unexpected(fmt::format("bad TZ string \"{}\": cannot read the {} at position {}", s_, what, pos_));
  }
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool name() {
    if (eat('<')) {
      const auto close = s_.find('>', pos_);
      if (close == std::string_view::npos || close - pos_ < 3) return false;
      pos_ = close + 1;
      return true;
    }
    const auto start = pos_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
    return pos_ - start >= 3;
  }
  std::optional<int> number(int max_digits) {
    int value = 0, digits = 0;
    while (digits < max_digits && std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + (s_[pos_++] - '0');
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    return value;
  }
  // [+-]hh[:mm[:ss]] with hours up to max_hours (24 for offsets, 167 for rule times).
  std::optional<std::int64_t> hms(int max_hours) {
    const bool negative = eat('-');
    if (!negative) eat('+');
    auto h = number(3);
    if (!h || *h > max_hours) return std::nullopt;
    std::int64_t seconds = *h * 3600;
    for (int unit : {60, 1}) {
      if (!eat(':')) break;
      auto v = number(2);
      if (!v || *v > 59) return std::nullopt;
      seconds += *v * unit;
    }
    return negative ? -seconds : seconds;
  }
  bool rule(TimeZone::PosixRule& r) {
    using Kind = TimeZone::PosixRule::Kind;
    if (eat('M')) {
      auto m = number(2);
      if (!m || !eat('.')) return false;
      auto w = number(1);
      if (!w || !eat('.')) return false;
      auto d = number(1);
      if (!d || *m < 1 || *m > 12 || *w < 1 || *w > 5 || *d > 6) return false;
      r.kind = Kind::MonthWeekDay;
      r.month = *m, r.week = *w, r.weekday = *d;
    } else {
      r.kind = eat('J') ? Kind::Julian1 : Kind::Julian0;
      auto n = number(3);
      if (!n || *n > 365 || (r.kind == Kind::Julian1 && *n < 1)) return false;
      r.day = *n;
    }
    if (eat('/')) {
      auto t = hms(167);
      if (!t) return false;
      r.time_s = *t;
    }
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// The local date (days since the epoch) on which a footer rule fires in `year`.
std::int64_t rule_day(const TimeZone::PosixRule& r, std::int64_t year) {
  using Kind = TimeZone::PosixRule::Kind;
  const std::int64_t jan1 = days_from_civil(year, 1, 1);
  switch (r.kind) {
    case Kind::Julian1:
      return jan1 + r.day - 1 + (common::is_leap_year(year) && r.day >= 60);
    case Kind::Julian0:
      return jan1 + r.day;
    case Kind::MonthWeekDay:
      break;
  }
  const std::int64_t first = days_from_civil(year, r.month, 1);
  const std::int64_t first_weekday = (first % 7 + 7 + 4) % 7;  // 1970-01-01 was a Thursday (4)
  std::int64_t day = first + (r.weekday - first_weekday + 7) % 7 + (r.week - 1) * 7;
  while (day >= first + days_in_month(year, r.month)) day -= 7;  // week 5 = the last one
  return day;
}

struct DstWindow {
  std::int64_t start, end;  // UTC instants the rules fire in one year
};

DstWindow dst_window(const TimeZone::PosixTz& tz, std::int64_t year) {
  // The start rule is stated in standard wall time, the end rule in DST wall time.
  return {rule_day(tz.start, year) * kDay + tz.start.time_s - tz.std_offset,
          rule_day(tz.end, year) * kDay + tz.end.time_s - *tz.dst_offset};
}

std::int64_t year_of(std::int64_t unix_s) { return civil_from_days(floor_div(unix_s, kDay)).year; }

// ---- TZif ------------------------------------------------------------------------------------

using common::ByteReader;

struct TzifHeader {
  char version;
  std::size_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
  std::size_t data_size(int time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt + isutcnt;
  }
};

Result<TzifHeader> read_header(ByteReader& in) {
  if (in.remaining() < 44) return std::unexpected("truncated TZif header");
  const bool magic = in.u8() == 'T' && in.u8() == 'Z' && in.u8() == 'i' && in.u8() == 'f';
  if (!magic) return std::unexpected("not a TZif file (bad magic)");
  TzifHeader h{};
  h.version = static_cast<char>(in.u8().value());
  in.take(15);
  for (std::size_t* field : {&h.isutcnt, &h.isstdcnt, &h.leapcnt, &h.timecnt, &h.typecnt, &h.charcnt})
    *field = static_cast<std::uint32_t>(in.be_signed(4).value());
  if (h.typecnt == 0) return std::unexpected("TZif file has no local time types");
  if (h.leapcnt != 0) return std::unexpected("TZif file has leap seconds (a \"right/\" zone); Unix time has none");
  if (in.remaining() < h.data_size(h.version == '\0' ? 4 : 8)) return std::unexpected("truncated TZif data block");
  return h;
}

}  // namespace

namespace {

// The name as it may appear in a message: at most 64 bytes, control bytes as \xNN.
std::string printable_zone_name(std::string_view name) {
  std::string out;
  for (unsigned char c : name.substr(0, 64)) {
    if (c < 0x20 || c >= 0x7F)
      out += fmt::format("\\x{:02X}", c);
    else
      out += static_cast<char>(c);
  }
  if (name.size() > 64) out += fmt::format("... ({} bytes)", name.size());
  return out;
}

}  // namespace

Result<void> TimeZone::check_name(std::string_view name) {
  // IANA names are relative file names of ASCII letters, digits, '.', '-', '_' and '+' (as in
  // "Etc/GMT+5"); checking the form first keeps a NUL (which would cut the path short), a
  // control byte or "../" from ever reaching the file system.
  const auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("time zone \"{}\": {}", printable_zone_name(name), why));
  };
  if (name.empty()) return std::unexpected("time zone name is empty");
  if (name.size() > kMaxNameLength) return fail(fmt::format("longer than {} bytes", kMaxNameLength));
  if (name.front() == '/') return fail("absolute paths are not allowed");
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '/' && c != '_' && c != '-' && c != '+' && c != '.') {
      return fail("only ASCII letters, digits and / _ - + . may appear in a zone name (e.g. Europe/Moscow)");
    }
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty()) return fail("empty path component");
    if (part == "." || part == "..") return fail("\".\" and \"..\" are not allowed");
    start = end + 1;
  }
  return {};
}

Result<TimeZone> TimeZone::load(std::string_view name, std::string_view zoneinfo_dir) {
  if (auto ok = check_name(name); !ok) return std::unexpected(ok.error());
  const std::string path = fmt::format("{}/{}", zoneinfo_dir, name);
  const auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("time zone \"{}\": {}", name, why));
  };
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return fail(fmt::format("cannot open {}: no such zone", path));
  if (std::filesystem::is_directory(status)) {
    return fail(fmt::format("cannot open {}: a directory, a group of zones and not a zone", path));
  }
  if (!std::filesystem::is_regular_file(status)) return fail(fmt::format("cannot open {}: not a regular file", path));
  lorawan::Bytes data;
  try {
    std::ifstream file(path, std::ios::binary);
    if (!file) return fail(fmt::format("cannot open {}", path));
    data.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    if (file.bad()) return fail(fmt::format("cannot read {}", path));
  } catch (const std::exception& e) {  // libstdc++ throws from underflow on a read error
    return fail(fmt::format("cannot read {}: {}", path, e.what()));
  }
  return from_tzif(std::string(name), data);
}

Result<TimeZone> TimeZone::from_tzif(std::string name, lorawan::ByteView tzif) {
  const auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("time zone \"{}\": {}", name, why));
  };
  ByteReader in(tzif);
  auto header = read_header(in);
  if (!header) return fail(header.error());
  int time_size = 4;
  if (header->version != '\0') {  // v2+: skip the 32-bit block, use the 64-bit one
    in.take(header->data_size(4));
    header = read_header(in);
    if (!header) return fail(header.error());
    time_size = 8;
  }
  const TzifHeader& h = *header;

  TimeZone tz;
  tz.name_ = std::move(name);
  for (std::size_t i = 0; i < h.timecnt; ++i) {
    tz.transitions_.push_back(in.be_signed(time_size).value());
    if (i > 0 && tz.transitions_[i] <= tz.transitions_[i - 1]) return fail("transition times are not ascending");
  }
  std::vector<std::uint8_t> type_index;
  for (std::size_t i = 0; i < h.timecnt; ++i) type_index.push_back(in.u8().value());
  std::vector<std::int32_t> type_offset;
  for (std::size_t i = 0; i < h.typecnt; ++i) {
    const std::int64_t utoff = in.be_signed(4).value();
    in.take(2);  // isdst, desigidx: abbreviations are not needed
    if (utoff < -kMaxOffset || utoff > kMaxOffset) return fail("UT offset out of range");
    type_offset.push_back(static_cast<std::int32_t>(utoff));
  }
  for (auto idx : type_index) {
    if (idx >= h.typecnt) return fail("transition refers to a missing local time type");
    tz.offsets_.push_back(type_offset[idx]);
  }
  tz.initial_offset_ = type_offset[0];
  in.take(h.charcnt + h.isstdcnt + h.isutcnt);

  if (time_size == 8) {  // footer: "\n<TZ string>\n"
    std::string_view rest(reinterpret_cast<const char*>(tzif.data()) + in.position(), tzif.size() - in.position());
    if (rest.size() < 2 || rest.front() != '\n') return fail("missing TZ string footer");
    const auto close = rest.find('\n', 1);
    if (close == std::string_view::npos) return fail("unterminated TZ string footer");
    const auto tz_string = rest.substr(1, close - 1);
    if (!tz_string.empty()) {
      auto footer = TzStringParser(tz_string).parse();
      if (!footer) return fail(footer.error());
      tz.footer_ = *footer;
    }
  }
  return tz;
}

std::int64_t TimeZone::offset_from_footer(std::int64_t unix_s) const {
  if (!footer_->dst_offset) return footer_->std_offset;
  const auto w = dst_window(*footer_, year_of(unix_s + footer_->std_offset));
  // Southern-hemisphere rules start DST late in the year and end it early in the next.
  const bool dst = w.start < w.end ? (unix_s >= w.start && unix_s < w.end) : !(unix_s >= w.end && unix_s < w.start);
  return dst ? *footer_->dst_offset : footer_->std_offset;
}

std::int64_t TimeZone::utc_offset_at(std::int64_t unix_s) const {
  const bool after_table = transitions_.empty() || unix_s > transitions_.back();
  if (after_table && footer_) return offset_from_footer(unix_s);
  if (transitions_.empty() || unix_s < transitions_.front()) return initial_offset_;
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_s);
  return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

std::optional<std::int64_t> TimeZone::next_transition(std::int64_t after) const {
  if (!transitions_.empty() && after < transitions_.back())
    return *std::upper_bound(transitions_.begin(), transitions_.end(), after);
  if (!footer_ || !footer_->dst_offset) return std::nullopt;
  std::optional<std::int64_t> best;
  const std::int64_t year = year_of(after);
  for (std::int64_t y = year - 1; y <= year + 1; ++y) {
    const auto w = dst_window(*footer_, y);
    for (std::int64_t t : {w.start, w.end})
      if (t > after && (!best || t < *best)) best = t;
  }
  return best;
}

std::int64_t TimeZone::local_to_utc(std::int64_t local_s, bool* in_gap) const {
  // Walk the segments of constant offset that could contain local_s (offsets are < 26 h).
  std::int64_t seg_start = local_s - kMaxOffset - 1;
  const std::int64_t window_end = local_s + kMaxOffset + 1;
  std::int64_t offset = utc_offset_at(seg_start);
  std::optional<std::int64_t> prev_local_end;
  std::optional<std::int64_t> gap_end;
  while (true) {
    const auto next = next_transition(seg_start);
    const std::int64_t seg_end = next && *next <= window_end ? *next : window_end + 1;
    const std::int64_t u = local_s - offset;
    if (u >= seg_start && u < seg_end) {  // the first (earliest) segment that holds local_s
      if (in_gap) *in_gap = false;
      return u;
    }
    if (!gap_end && prev_local_end && *prev_local_end <= local_s && seg_start + offset > local_s) gap_end = seg_start;
    if (seg_end > window_end) break;
    prev_local_end = seg_end + offset;
    seg_start = seg_end;
    offset = utc_offset_at(seg_start);
  }
  if (in_gap) *in_gap = true;
  return gap_end.value_or(local_s - offset);
}

std::int64_t TimeZone::start_of_local_day(std::int64_t unix_s) const {
  return local_to_utc(floor_div(unix_s + utc_offset_at(unix_s), kDay) * kDay);
}

std::int64_t TimeZone::next_local_day(std::int64_t day_start) const {
  // Via the next local date, not +24 h: days last 23 or 25 h across DST and can even be skipped.
  const std::int64_t local_day = floor_div(day_start + utc_offset_at(day_start), kDay);
  return local_to_utc((local_day + 1) * kDay);
}

std::string TimeZone::format_iso8601(std::int64_t unix_s) const {
  const std::int64_t offset = utc_offset_at(unix_s);
  const std::int64_t local = unix_s + offset;
  const std::int64_t days = floor_div(local, kDay);
  const std::int64_t sod = local - days * kDay;
  const common::CivilDate c = civil_from_days(days);
  const std::int64_t a = std::abs(offset);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", c.year, c.month, c.day, sod / 3600,
                                sod / 60 % 60, sod % 60, offset < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  if (a % 60 != 0) out += fmt::format(":{:02}", a % 60);
  return out;
}

namespace {

// Fixed-width decimal field; false when the characters are not all digits.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Result<std::int64_t> TimeZone::parse_time(std::string_view text) const {
  const auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("bad time \"{}\": {} (expected YYYY-MM-DD[Thh:mm[:ss]][Z|±hh:mm])", text, why));
  };
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, month) || text[7] != '-' ||
      !digits(text, 8, 2, day))
    return fail("no date");
  if (!common::is_valid_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day)))
    return fail("no such date");
  const std::int64_t local_date = days_from_civil(year, month, day) * kDay;
  std::size_t pos = 10;
  if (pos == text.size()) return local_to_utc(local_date);  // a bare date is the start of that local day

  if (text[pos] != 'T' && text[pos] != ' ') return fail("expected 'T' or ' ' after the date");
  if (!digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
      !digits(text, pos + 4, 2, minute))
    return fail("no hh:mm");
  pos += 6;
  if (pos < text.size() && text[pos] == ':') {
    if (!digits(text, pos + 1, 2, second)) return fail("bad seconds");
    pos += 3;
  }
  if (hour > 23 || minute > 59 || second > 59) return fail("time of day out of range");
  const std::int64_t local = local_date + hour * 3600 + minute * 60 + second;

  if (pos == text.size()) {
    bool in_gap = false;
    const std::int64_t utc = local_to_utc(local, &in_gap);
    if (in_gap) return fail(fmt::format("this local time does not exist in {} (clocks were moved forward)", name_));
    return utc;
  }
  if (text.substr(pos) == "Z") return local;
  int off_h, off_m;
  if ((text[pos] != '+' && text[pos] != '-') || text.size() != pos + 6 || !digits(text, pos + 1, 2, off_h) ||
      text[pos + 3] != ':' || !digits(text, pos + 4, 2, off_m) || off_m > 59)
    return fail("bad UTC offset");
  const std::int64_t offset = (off_h * 3600 + off_m * 60) * (text[pos] == '-' ? -1 : 1);
  return local - offset;
}

Result<std::int64_t> TimeZone::month_start(int year, int month) const {
  if (year < 1 || year > 9999 || month < 1 || month > 12)
    return std::unexpected(fmt::format("no such month {:04}-{:02}", year, month));
  return local_to_utc(days_from_civil(year, month, 1) * kDay);
}

}  // namespace uchet::appserver
