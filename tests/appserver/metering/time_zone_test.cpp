#include <catch2/catch.hpp>

#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "appserver/metering/time_zone.h"

using uchet::appserver::TimeZone;

namespace {

TimeZone zone(std::string_view name) {
  auto tz = TimeZone::load(name);
  INFO(name << ": " << (tz ? "" : tz.error()));
  REQUIRE(tz);
  return *tz;
}

std::int64_t parse(const TimeZone& tz, std::string_view text) {
  auto t = tz.parse_time(text);
  INFO(text << ": " << (t ? "" : t.error()));
  REQUIRE(t);
  return *t;
}

}  // namespace

TEST_CASE("Yekaterinburg is UTC+5 today") {
  const auto tz = zone("Asia/Yekaterinburg");
  CHECK(tz.name() == "Asia/Yekaterinburg");
  CHECK(tz.utc_offset_at(1795323600) == 18000);
  CHECK(tz.format_iso8601(1795323600) == "2026-11-22T10:00:00+05:00");
  CHECK(tz.start_of_local_day(1795323600) == 1795287600);  // 2026-11-21T19:00:00Z
  CHECK(tz.start_of_local_day(1795287600) == 1795287600);
  CHECK(tz.start_of_local_day(1795287599) == 1795287600 - 86400);
  CHECK(tz.next_local_day(1795287600) == 1795287600 + 86400);
  CHECK(parse(tz, "2026-11-22T10:00:00+05:00") == 1795323600);
  CHECK(parse(tz, "2026-11-22T05:00:00Z") == 1795323600);
  CHECK(parse(tz, "2026-11-22T10:00") == 1795323600);
  CHECK(parse(tz, "2026-11-22 10:00:00") == 1795323600);
  CHECK(parse(tz, "2026-11-22") == 1795287600);
  CHECK(parse(tz, "2026-11-22T02:30:00-02:30") == 1795323600);
  CHECK(tz.month_start(2026, 11).value() == 1793473200);  // 2026-11-01T00:00+05:00
  CHECK(tz.month_start(2026, 12).value() == 1796065200);
}

TEST_CASE("Yekaterinburg was UTC+6 from 2011-03-27 to 2014-10-26") {
  const auto tz = zone("Asia/Yekaterinburg");
  CHECK(tz.utc_offset_at(1338487200) == 21600);
  CHECK(tz.format_iso8601(1338487200) == "2012-06-01T00:00:00+06:00");
  CHECK(parse(tz, "2012-06-01") == 1338487200);
  // 2011-03-27 02:00 +05 became 03:00 +06: a 23-hour day.
  CHECK(tz.start_of_local_day(1301166000 + 50000) == 1301166000);
  CHECK(tz.next_local_day(1301166000) == 1301248800);
  CHECK(1301248800 - 1301166000 == 23 * 3600);
  // 2014-10-26 02:00 +06 became 01:00 +05: a 25-hour day.
  CHECK(tz.next_local_day(1414260000) == 1414350000);
  CHECK(1414350000 - 1414260000 == 25 * 3600);
  CHECK(tz.format_iso8601(1414350000) == "2014-10-27T00:00:00+05:00");
  // 01:30 happened twice that night: the earlier (+06) instant is meant.
  CHECK(parse(tz, "2014-10-26T01:30") == 1414260000 + 5400);
  CHECK(parse(tz, "2014-10-26T01:30+05:00") == 1414260000 + 5400 + 3600);
  // 2011-03-27 02:30 never happened there.
  auto gap = tz.parse_time("2011-03-27T02:30");
  REQUIRE_FALSE(gap);
  CHECK(gap.error().find("does not exist") != std::string::npos);
}

TEST_CASE("Berlin has a 23-hour and a 25-hour day around DST") {
  const auto tz = zone("Europe/Berlin");
  const std::int64_t mar29 = 1774738800, mar30 = 1774821600, oct25 = 1792879200, oct26 = 1792969200;
  CHECK(parse(tz, "2026-03-29") == mar29);
  CHECK(tz.next_local_day(mar29) == mar30);
  CHECK(mar30 - mar29 == 23 * 3600);
  CHECK(tz.utc_offset_at(mar29 + 2 * 3600 - 1) == 3600);  // 01:59:59 CET
  CHECK(tz.utc_offset_at(mar29 + 2 * 3600) == 7200);      // 03:00:00 CEST
  CHECK(tz.format_iso8601(mar29 + 2 * 3600) == "2026-03-29T03:00:00+02:00");
  CHECK(tz.start_of_local_day(mar30 - 1) == mar29);
  CHECK(tz.next_local_day(oct25) == oct26);
  CHECK(oct26 - oct25 == 25 * 3600);
  CHECK(tz.start_of_local_day(oct26 - 1) == oct25);
  CHECK(tz.format_iso8601(oct25 + 3 * 3600) == "2026-10-25T02:00:00+01:00");
  CHECK(tz.format_iso8601(oct25 + 2 * 3600) == "2026-10-25T02:00:00+02:00");
  CHECK(parse(tz, "2026-10-25T02:00") == oct25 + 2 * 3600);
  CHECK_FALSE(tz.parse_time("2026-03-29T02:00"));
  CHECK(tz.month_start(2026, 4).value() == parse(tz, "2026-03-31T22:00:00Z"));
}

TEST_CASE("Berlin after the last stored transition follows the footer rule") {
  const auto tz = zone("Europe/Berlin");
  CHECK(parse(tz, "2100-03-28") == 4109871600);
  CHECK(tz.next_local_day(4109871600) == 4109954400);  // 23 h
  CHECK(tz.utc_offset_at(4109878800 - 1) == 3600);
  CHECK(tz.utc_offset_at(4109878800) == 7200);
  CHECK(tz.format_iso8601(4115527200) == "2100-06-01T12:00:00+02:00");
  CHECK(tz.next_local_day(4128616800) == 4128706800);  // 2100-10-31: 25 h
  CHECK(tz.format_iso8601(4128706800) == "2100-11-01T00:00:00+01:00");
}

TEST_CASE("a day whose midnight does not exist starts when the gap ends") {
  // Sao Paulo 2018-11-04: 00:00 -03 became 01:00 -02.
  const auto sp = zone("America/Sao_Paulo");
  CHECK(sp.next_local_day(1541214000) == 1541300400);
  CHECK(sp.start_of_local_day(1541300400 + 7200) == 1541300400);
  CHECK(sp.format_iso8601(1541300400) == "2018-11-04T01:00:00-02:00");
  CHECK(parse(sp, "2018-11-04") == 1541300400);
  // Samoa skipped 2011-12-30 altogether: the day after the 29th is the 31st.
  const auto apia = zone("Pacific/Apia");
  CHECK(apia.next_local_day(1325152800) == 1325239200);
  CHECK(apia.format_iso8601(1325239200) == "2011-12-31T00:00:00+14:00");
  CHECK(parse(apia, "2011-12-30") == 1325239200);
}

TEST_CASE("UTC and Moscow") {
  const auto utc = zone("UTC");
  CHECK(utc.utc_offset_at(1795305600) == 0);
  CHECK(utc.format_iso8601(1795305600) == "2026-11-22T00:00:00+00:00");
  CHECK(utc.start_of_local_day(1795305600 + 86399) == 1795305600);
  CHECK(utc.format_iso8601(-1) == "1969-12-31T23:59:59+00:00");
  CHECK(utc.start_of_local_day(-1) == -86400);
  CHECK(parse(utc, "2026-11-22") == 1795305600);

  const auto msk = zone("Europe/Moscow");
  CHECK(msk.format_iso8601(1767214800) == "2026-01-01T00:00:00+03:00");
  CHECK(msk.format_iso8601(1356984000) == "2013-01-01T00:00:00+04:00");  // permanent "summer" time 2011-2014
  CHECK(msk.format_iso8601(1277928000) == "2010-07-01T00:00:00+04:00");  // MSD
  CHECK(msk.utc_offset_at(1262293200) == 10800);                         // 2010-01-01 MSK
  CHECK(parse(msk, "2026-01-01") == 1767214800);
}

TEST_CASE("bad zone names are rejected with a reason") {
  for (std::string_view name :
       {"", "/etc/passwd", "../../etc/passwd", "Europe/../../etc/passwd", "Mars/Olympus_Mons"}) {
    auto tz = TimeZone::load(name);
    INFO(name);
    REQUIRE_FALSE(tz);
    CHECK_FALSE(tz.error().empty());
  }
  CHECK(TimeZone::load("..").error().find("..") != std::string::npos);
  CHECK(TimeZone::load("/UTC").error().find("absolute") != std::string::npos);
  CHECK(TimeZone::load("Mars/Olympus_Mons").error().find("cannot open") != std::string::npos);
  CHECK(TimeZone::load("zone.tab").error().find("TZif") != std::string::npos);
  CHECK(TimeZone::load("right/UTC").error().find("leap") != std::string::npos);
}

TEST_CASE("names that are no zone are refused with a reason and never throw") {
  // "Europe" is a directory of zones: reading it once threw std::ios_base::failure.
  CHECK(TimeZone::load("Europe").error().find("directory") != std::string::npos);
  CHECK(TimeZone::load("Europe/").error().find("empty path component") != std::string::npos);
  // A NUL would cut the path short and "Europe/Moscow\0zz" would load Moscow under that name.
  const std::string with_nul("Europe/Moscow\0zz", 16);
  REQUIRE_FALSE(TimeZone::load(with_nul));
  CHECK(TimeZone::load(with_nul).error().find("\\x00") != std::string::npos);  // shown escaped
  CHECK_FALSE(TimeZone::load("Europe/Moscow\n"));
  CHECK_FALSE(TimeZone::load("Europe/Мoscow"));  // a Cyrillic М
  CHECK_FALSE(TimeZone::load("Europe//Moscow"));
  CHECK_FALSE(TimeZone::load("Europe/./Moscow"));
  CHECK_FALSE(TimeZone::load("../../etc/passwd"));
  const std::string long_name(10'000, 'A');
  const auto refused = TimeZone::load(long_name);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("longer than 128 bytes") != std::string::npos);
  CHECK(refused.error().size() < 200);  // the name is not echoed whole
  // The form alone: names that exist and names that merely look right.
  CHECK(TimeZone::check_name("Etc/GMT+5"));
  CHECK(TimeZone::check_name("America/Argentina/ComodRivadavia"));
  CHECK(TimeZone::check_name("Mars/Olympus_Mons"));
  CHECK(TimeZone::load("Etc/GMT+5"));
}

TEST_CASE("malformed TZif data and footers are rejected") {
  std::ifstream f("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  const uchet::lorawan::Bytes berlin{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  REQUIRE(TimeZone::from_tzif("x", berlin));
  CHECK_FALSE(TimeZone::from_tzif("x", uchet::lorawan::ByteView(berlin).first(100)));
  CHECK_FALSE(TimeZone::from_tzif("x", uchet::lorawan::ByteView(berlin).first(berlin.size() - 1)));
  auto broken = berlin;
  broken[berlin.size() - 10] = '!';  // inside "CET-1CEST,M3.5.0,M10.5.0/3"
  auto r = TimeZone::from_tzif("x", broken);
  REQUIRE_FALSE(r);
  CHECK(r.error().find("TZ string") != std::string::npos);
}

TEST_CASE("bad times are rejected") {
  const auto tz = zone("Asia/Yekaterinburg");
  for (std::string_view text : {"", "2026", "2026-11", "2026-13-01", "2026-02-29", "2026-11-22T", "2026-11-22T24:00",
                                "2026-11-22T10:60", "2026-11-22T10:00:61", "2026-11-22x10:00", "2026-11-22T10:00+5",
                                "2026-11-22T10:00:00+05:00x", "2026-11-22T10:00:00Zx", "2026-11-22 ", "26-11-22"}) {
    INFO(text);
    CHECK_FALSE(tz.parse_time(text));
  }
  CHECK(parse(tz, "2024-02-29") == 1709146800);
  CHECK_FALSE(tz.month_start(2026, 0));
  CHECK_FALSE(tz.month_start(2026, 13));
}

// Cross-check against glibc, which reads the same files, for every zone on the system.
TEST_CASE("offsets and day starts agree with glibc in every installed zone") {
  namespace fs = std::filesystem;
  const std::string root(TimeZone::kZoneinfoDir);
  const char* saved = std::getenv("TZ");
  const std::string saved_tz = saved ? saved : "";
  int zones = 0;
  std::set<std::string> seen;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).string();
    if (!entry.is_regular_file() || rel.starts_with("right/") || rel.starts_with("posix/")) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    if (!seen.insert(std::string(std::istreambuf_iterator<char>(file), {})).second) continue;  // a link
    auto tz = TimeZone::load(rel);
    if (!tz) {
      CHECK(tz.error().find("TZif") != std::string::npos);  // zone.tab, leapseconds, ...
      continue;
    }
    ++zones;
    setenv("TZ", (":" + entry.path().string()).c_str(), 1);
    tzset();
    // 1901..2150 in irregular steps so that every hour of day and weekday gets visited.
    std::int64_t n = 0;
    for (std::int64_t t = -2'170'000'000; t < 5'680'000'000; t += 17 * 86400 + 3607) {
      const time_t tt = static_cast<time_t>(t);
      tm local{};
      localtime_r(&tt, &local);
      if (tz->utc_offset_at(t) != local.tm_gmtoff) {
        FAIL(rel << " at " << t << ": " << tz->utc_offset_at(t) << " vs glibc " << local.tm_gmtoff);
      }
      if (++n % 4 != 0) continue;  // day starts on a quarter of the samples keep the test quick
      const std::int64_t d = tz->start_of_local_day(t);
      const std::int64_t next = tz->next_local_day(d);
      const std::string date = tz->format_iso8601(t).substr(0, 10);
      if (!(d <= t && t < next && tz->format_iso8601(d).substr(0, 10) == date &&
            tz->format_iso8601(d - 1).substr(0, 10) != date)) {
        FAIL(rel << " at " << t << ": day " << d << ".." << next);
      }
    }
  }
  if (saved)
    setenv("TZ", saved_tz.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  CHECK(zones > 250);
}
