#pragma once
// An IANA time zone read from the system's TZif files (RFC 8536), so that the daily grid of
// readings follows the application's civil calendar. Readings stay in UTC (Unix seconds); this
// type only answers "what is the local offset/day at this instant". Pure: it never reads the clock.
//
// Supported: TZif v1 (32-bit data) and v2+ (the 64-bit data is used); the footer POSIX TZ string
// in full (std/dst names, <quoted> names, offsets, rules Mm.w.d, Jn and n, rule times -167..167 h)
// for instants after the last transition. Not supported (load fails with a reason): leap-second
// ("right/") files, because uchet counts Unix time, which has no leap seconds.
//
// Local times that occur twice (autumn fall-back) resolve to the earlier instant; a local
// midnight that does not exist (spring-forward at 00:00) means the day starts when the gap ends.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::appserver {

using lorawan::Result;

class TimeZone {
 public:
  static constexpr std::string_view kDefaultName = "Asia/Yekaterinburg";
  static constexpr std::string_view kZoneinfoDir = "/usr/share/zoneinfo";

  static constexpr std::size_t kMaxNameLength = 128;

  // Whether `name` has the form of an IANA zone name: 1..128 bytes of ASCII letters, digits and
  // / _ - + ., no empty, "." or ".." component, not absolute. Says nothing of whether it exists.
  static Result<void> check_name(std::string_view name);
  // Reads <zoneinfo_dir>/<name>. Rejects names check_name refuses, names that are not a regular
  // file (a directory such as "Europe", a missing file) and malformed files with a
  // human-readable reason; never throws for a bad name or file.
  static Result<TimeZone> load(std::string_view name, std::string_view zoneinfo_dir = kZoneinfoDir);
  // Parses the bytes of a TZif file; `name` is only kept for messages and name().
  static Result<TimeZone> from_tzif(std::string name, lorawan::ByteView tzif);

  const std::string& name() const { return name_; }

  // Seconds to add to UTC to get local time at that instant (e.g. +18000 for UTC+5).
  std::int64_t utc_offset_at(std::int64_t unix_s) const;
  // The UTC instant of the start of the local day containing unix_s.
  std::int64_t start_of_local_day(std::int64_t unix_s) const;
  // The start of the local day after the one starting at day_start (23, 24 or 25 h later...).
  std::int64_t next_local_day(std::int64_t day_start) const;
  // "2026-11-22T10:00:00+05:00"; an offset with seconds (old LMT) is printed as +hh:mm:ss.
  std::string format_iso8601(std::int64_t unix_s) const;
  // "…Z" / "…±hh:mm" are absolute; "YYYY-MM-DD" (start of that local day), "YYYY-MM-DDThh:mm",
  // "YYYY-MM-DDThh:mm:ss" ('T' or ' ') are local to this zone. A local time inside a DST gap is
  // rejected; an ambiguous one means the earlier instant.
  Result<std::int64_t> parse_time(std::string_view text) const;
  // The UTC instant of the start of the local day YYYY-MM-01.
  Result<std::int64_t> month_start(int year, int month) const;

  // A rule from the footer TZ string, e.g. "CET-1CEST,M3.5.0,M10.5.0/3"; public only so the
  // parser in time_zone.cpp can build it.
  struct PosixRule {
    enum class Kind { MonthWeekDay, Julian1, Julian0 };  // Mm.w.d, Jn (no Feb 29), n (0-based)
    Kind kind = Kind::MonthWeekDay;
    int month = 0, week = 0, weekday = 0, day = 0;
    std::int64_t time_s = 7200;  // local wall-clock time of the change, default 02:00
  };
  struct PosixTz {
    std::int64_t std_offset = 0;             // seconds east of UTC (the TZ string's sign is inverted)
    std::optional<std::int64_t> dst_offset;  // absent: fixed offset
    PosixRule start, end;                    // DST starts (in standard time) / ends (in DST wall time)
  };

 private:
  std::int64_t offset_from_footer(std::int64_t unix_s) const;
  // The first instant after `after` where the offset may change; nullopt when there is none.
  std::optional<std::int64_t> next_transition(std::int64_t after) const;
  // The earliest UTC instant whose local time is `local_s`, or the end of the gap skipping it.
  std::int64_t local_to_utc(std::int64_t local_s, bool* in_gap = nullptr) const;

  std::string name_;
  std::vector<std::int64_t> transitions_;  // ascending UTC instants
  std::vector<std::int32_t> offsets_;      // offset in effect from transitions_[i]
  std::int32_t initial_offset_ = 0;        // before the first transition (RFC 8536: type 0)
  std::optional<PosixTz> footer_;          // for instants after the last transition
};

}  // namespace uchet::appserver
