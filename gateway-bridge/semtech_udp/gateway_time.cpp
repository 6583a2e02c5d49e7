#include "gateway-bridge/semtech_udp/gateway_time.h"

#include <string>

namespace uchet::gateway_bridge::semtech_udp {
namespace {

// Reads `count` decimal digits at `pos`; -1 when any is not a digit.
int digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "YYYY-MM-DD?hh:mm:ss" with `separator` between date and time; the caller checks the length.
lorawan::Result<std::chrono::sys_seconds> civil_time(std::string_view text, char separator) {
  using namespace std::chrono;
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (text[4] != '-' || text[7] != '-' || text[10] != separator || text[13] != ':' || text[16] != ':' || y < 0 ||
      mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) {
    return std::unexpected("time \"" + std::string(text) + "\" is not YYYY-MM-DD" + separator + "hh:mm:ss");
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) {
    return std::unexpected("time \"" + std::string(text) + "\" is not a valid date and time");
  }
  return sys_days{date} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

lorawan::Result<UtcTime> parse_rx_time(std::string_view text) {
  constexpr std::size_t kCivil = 19;
  if (text.size() < kCivil + 1 || text.back() != 'Z') {
    return std::unexpected("time \"" + std::string(text) + "\" is not YYYY-MM-DDThh:mm:ss[.f]Z");
  }
  auto whole = civil_time(text.substr(0, kCivil), 'T');
  if (!whole) return std::unexpected(whole.error());
  std::string_view fraction = text.substr(kCivil, text.size() - kCivil - 1);
  std::int64_t micros = 0;
  if (!fraction.empty()) {
    fraction.remove_prefix(1);
    if (text[kCivil] != '.' || fraction.empty() || fraction.size() > 9 || digits(fraction, 0, fraction.size()) < 0) {
      return std::unexpected("time \"" + std::string(text) + "\" has an invalid fraction of a second");
    }
    for (std::size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  return std::chrono::time_point_cast<std::chrono::microseconds>(*whole) + std::chrono::microseconds{micros};
}

lorawan::Result<std::chrono::sys_seconds> parse_stat_time(std::string_view text) {
  if (text.size() != 23 || (text.substr(19) != " GMT" && text.substr(19) != " UTC")) {
    return std::unexpected("stat time \"" + std::string(text) + "\" is not YYYY-MM-DD hh:mm:ss GMT");
  }
  return civil_time(text.substr(0, 19), ' ');
}

}  // namespace uchet::gateway_bridge::semtech_udp
