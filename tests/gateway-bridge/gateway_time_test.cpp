// Gateway clock formats: rxpk "time" (ISO 8601 UTC with a fraction) and stat "time".
#include <catch2/catch.hpp>

#include "gateway-bridge/semtech_udp/gateway_time.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace std::chrono;

TEST_CASE("rxpk time with 0 to 9 fraction digits, truncated to microseconds") {
  const auto base = sys_days{2026y / March / 31} + 16h + 21min + 17s;
  CHECK(*parse_rx_time("2026-03-31T16:21:17Z") == base);
  CHECK(*parse_rx_time("2026-03-31T16:21:17.5Z") == base + 500ms);
  CHECK(*parse_rx_time("2026-03-31T16:21:17.528002Z") == base + 528002us);
  CHECK(*parse_rx_time("2026-03-31T16:21:17.528002999Z") == base + 528002us);
  CHECK(*parse_rx_time("2024-02-29T00:00:00.000000Z") == sys_days{2024y / February / 29});
  CHECK_FALSE(parse_rx_time("2026-03-31T16:21:17.5280029999Z"));
  CHECK_FALSE(parse_rx_time("2025-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rx_time("2026-03-31 16:21:17Z"));
  CHECK_FALSE(parse_rx_time("2026-03-31T16:21:17+00:00"));
  CHECK_FALSE(parse_rx_time(""));
  CHECK_FALSE(parse_rx_time("Z"));
}

TEST_CASE("stat time as strftime %F %T %Z on gmtime") {
  CHECK(*parse_stat_time("2014-01-12 08:59:28 GMT") == sys_days{2014y / January / 12} + 8h + 59min + 28s);
  CHECK(*parse_stat_time("2014-01-12 08:59:28 UTC") == sys_days{2014y / January / 12} + 8h + 59min + 28s);
  CHECK_FALSE(parse_stat_time("2014-01-12 08:59:28 MSK"));
  CHECK_FALSE(parse_stat_time("2014-01-12T08:59:28 GMT"));
  CHECK_FALSE(parse_stat_time("2014-13-12 08:59:28 GMT"));
}
