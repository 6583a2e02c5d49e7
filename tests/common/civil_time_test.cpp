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

TEST_CASE("RFC 3339 times as protobuf writes Timestamps are read to Unix seconds, anything else refused") {
  CHECK(parse_rfc3339("2026-11-19T19:00:00Z") == 1795114800);
  CHECK(parse_rfc3339("2026-11-19t19:00:00z") == 1795114800);
  CHECK(parse_rfc3339("2026-11-20T00:00:00+05:00") == 1795114800);
  CHECK(parse_rfc3339("2026-11-19T13:30:00-05:30") == 1795114800);
  CHECK(parse_rfc3339("2026-11-19T19:00:00.999999999Z") == 1795114800);  // the fraction is dropped
  CHECK(parse_rfc3339("1969-12-31T23:59:59Z") == -1);
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z") == parse_rfc3339("2016-12-31T23:59:59Z"));
  for (const char* bad : {"", "2026-11-19", "2026-11-19T19:00Z", "2026-11-19T19:00:00", "2026-02-30T00:00:00Z",
                          "2026-11-19T24:00:00Z", "2026-11-19T19:00:00.Z", "2026-11-19T19:00:00+5:00",
                          "2026-11-19T19:00:00+05:00x", "2026-11-19 19:00:00Z", "tomorrow"}) {
    INFO(bad);
    auto r = parse_rfc3339(bad);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error(), Catch::Contains("not an RFC 3339 time"));
  }
}
