#include "netserver/lorawan/gps_time.h"

#include <algorithm>
#include <array>

namespace uchet::lorawan {
namespace {

using namespace std::chrono;

// UTC days from which GPS − UTC grew to the index + 1 seconds (IERS; none after 2017-01-01).
constexpr std::array<sys_days, 18> kLeapSecondDays = {
    sys_days{1981y / July / 1},    sys_days{1982y / July / 1},    sys_days{1983y / July / 1},
    sys_days{1985y / July / 1},    sys_days{1988y / January / 1}, sys_days{1990y / January / 1},
    sys_days{1991y / January / 1}, sys_days{1992y / July / 1},    sys_days{1993y / July / 1},
    sys_days{1994y / July / 1},    sys_days{1996y / January / 1}, sys_days{1997y / July / 1},
    sys_days{1999y / January / 1}, sys_days{2006y / January / 1}, sys_days{2009y / January / 1},
    sys_days{2012y / July / 1},    sys_days{2015y / July / 1},    sys_days{2017y / January / 1},
};

}  // namespace

seconds leap_seconds_at(UtcTime utc) {
  seconds count{0};
  for (auto day : kLeapSecondDays) {
    if (utc >= day) ++count;
  }
  return count;
}

nanoseconds gps_time_from_utc(UtcTime utc) { return utc.time_since_epoch() - kUnixToGpsEpoch + leap_seconds_at(utc); }

UtcTime utc_from_gps_time(nanoseconds since_gps_epoch) {
  // Walk the table from the newest entry: the first leap second whose GPS instant has been
  // reached gives the offset.
  for (std::size_t i = kLeapSecondDays.size(); i-- > 0;) {
    const seconds offset(i + 1);
    const nanoseconds leap_at_gps = kLeapSecondDays[i].time_since_epoch() - kUnixToGpsEpoch + offset;
    if (since_gps_epoch >= leap_at_gps - seconds{1}) {
      const auto utc = UtcTime(since_gps_epoch + kUnixToGpsEpoch - offset);
      // Inside the leap second itself: clamp to the first UTC instant after it.
      return std::max(utc, UtcTime(kLeapSecondDays[i]));
    }
  }
  return UtcTime(since_gps_epoch + kUnixToGpsEpoch);
}

}  // namespace uchet::lorawan
