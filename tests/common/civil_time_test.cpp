// Known answers for the one copy of calendar arithmetic and UTC text (common/civil_time.h).
#include <catch2/catch.hpp>

#include "common/civil_time.h"

using namespace uchet::common;

TEST_CASE("civil dates and day numbers agree with known answers on both sides of 1970") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(2026, 11, 20) == 20777);
  CHECK(days_from_civil(1600, 1, 1) == -135140);
  for (std::int64_t day = -800'000; day <= 800'000; day += 97) {  // ~ years -220 .. 4160
    const CivilDate d = civil_from_days(day);
    INFO(day);
    REQUIRE(is_valid_date(d.year, d.month, d.day));
    REQUIRE(days_from_civil(d.year, d.month, d.day) == day);
  }
}

TEST_CASE("leap years and month lengths follow the Gregorian rule") {
  CHECK(is_valid_date(2024, 2, 29));
  CHECK(is_valid_date(2000, 2, 29));
  CHECK_FALSE(is_valid_date(2100, 2, 29));
  CHECK_FALSE(is_valid_date(2026, 4, 31));
  CHECK_FALSE(is_valid_date(2026, 13, 1));
  CHECK_FALSE(is_valid_date(2026, 0, 1));
  CHECK_FALSE(is_valid_date(2026, 1, 0));
  CHECK(days_in_month(2026, 12) == 31);
  CHECK(floor_div(-1, 86400) == -1);
  CHECK(floor_div(86399, 86400) == 0);
}

TEST_CASE("UTC text is ISO 8601 with Z, to the second or the millisecond") {
  CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(format_utc(-1) == "1969-12-31T23:59:59Z");
  CHECK(format_utc(1795114800) == "2026-11-19T19:00:00Z");
  CHECK(unix_from_utc(2026, 11, 19, 19, 0, 0) == 1795114800);
  CHECK(format_utc_ms(1795114800123) == "2026-11-19T19:00:00.123Z");
  CHECK(format_utc_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_utc_ms(5) == "1970-01-01T00:00:00.005Z");
}
