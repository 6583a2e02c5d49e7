// clean_register(): misread readings dropped, overflows at the register's range unwrapped, every
// other decrease kept for the grid to report as a rollback. Expected values worked out by hand.
#include <catch2/catch.hpp>

#include "appserver/metering/register_series.h"

using namespace uchet::appserver;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t T0 = 1767225600;  // 2026-01-01 00:00 UTC

std::vector<double> values(const RegisterSeries& s) {
  std::vector<double> out;
  for (const auto& p : s.points) out.push_back(p.value);
  return out;
}

}  // namespace

TEST_CASE("a rising register passes unchanged") {
  const std::vector<GridPoint> in = {{T0, 10.0}, {T0 + kDay, 10.1}, {T0 + 2 * kDay, 10.1}, {T0 + 3 * kDay, 10.3}};
  const auto out = clean_register(in, std::nullopt);
  CHECK(values(out) == std::vector<double>{10.0, 10.1, 10.1, 10.3});
  CHECK(out.glitches.empty());
  CHECK(out.overflows.empty());
}

TEST_CASE("one reading 0.2 m3 too low, the next continuing the old series, is a glitch") {
  // 100.0, 100.133, [100.066 = 100.266 - 0.2], 100.399: the third is below 100.133 while the
  // fourth (100.399) is back above 100.133, so the third was misread and is left out.
  const std::vector<GridPoint> in = {
      {T0, 100.0}, {T0 + kDay, 100.133}, {T0 + 2 * kDay, 100.066}, {T0 + 3 * kDay, 100.399}};
  const auto out = clean_register(in, std::nullopt);
  CHECK(values(out) == std::vector<double>{100.0, 100.133, 100.399});
  CHECK(out.glitches == std::vector<std::int64_t>{T0 + 2 * kDay});
  CHECK(out.overflows.empty());
}

TEST_CASE("a decrease that the following readings confirm is kept (a rollback for the grid)") {
  // 100, 101, 5, 6: the reading after 5 continues from 5, not from 101; no range is known.
  const std::vector<GridPoint> in = {{T0, 100.0}, {T0 + kDay, 101.0}, {T0 + 2 * kDay, 5.0}, {T0 + 3 * kDay, 6.0}};
  const auto out = clean_register(in, std::nullopt);
  CHECK(values(out) == std::vector<double>{100.0, 101.0, 5.0, 6.0});
  CHECK(out.glitches.empty());
  CHECK(out.overflows.empty());
}

TEST_CASE("a dip on the newest reading is not called a glitch until the next one arrives") {
  const std::vector<GridPoint> in = {{T0, 100.0}, {T0 + kDay, 99.8}};
  const auto out = clean_register(in, std::nullopt);
  CHECK(values(out) == std::vector<double>{100.0, 99.8});
  CHECK(out.glitches.empty());
}

TEST_CASE("an overflow at the register's range is unwrapped, and only from the range") {
  // KARAT: 2^32 L = 4294967.296 m3. 4294967.0 then 0.204 then 0.5: forward through the maximum
  // is 0.204 + 4294967.296 - 4294967.0 = 0.5 m3, backwards 4294966.796: an overflow. The later
  // values get the range added: 4294967.5 and 4294967.796.
  constexpr double kRange = 4294967.296;
  const std::vector<GridPoint> in = {{T0, 4294967.0}, {T0 + kDay, 0.204}, {T0 + 2 * kDay, 0.5}};
  const auto out = clean_register(in, kRange);
  REQUIRE(out.points.size() == 3);
  CHECK(out.points[1].value == Approx(4294967.5));
  CHECK(out.points[2].value == Approx(4294967.796));
  CHECK(out.overflows == std::vector<std::int64_t>{T0 + kDay});
  // Without the range the same drop is not guessed to be an overflow.
  const auto unknown = clean_register(in, std::nullopt);
  CHECK(values(unknown) == std::vector<double>{4294967.0, 0.204, 0.5});
  CHECK(unknown.overflows.empty());
}

TEST_CASE("register_overflowed: the shorter way round decides") {
  CHECK(register_overflowed(999.9, 0.1, 1000.0));          // forward 0.2, backward 999.8
  CHECK_FALSE(register_overflowed(600.0, 100.0, 1000.0));  // forward 500, backward 500: not shorter
  CHECK_FALSE(register_overflowed(100.0, 99.0, 1000.0));   // forward 999
  CHECK_FALSE(register_overflowed(999.9, 0.1, std::nullopt));
  CHECK_FALSE(register_overflowed(999.9, 0.1, 0.0));
  CHECK_FALSE(register_overflowed(1.0, 2.0, 1000.0));  // not a decrease
}

TEST_CASE("manual marks survive cleaning") {
  const std::vector<GridPoint> in = {{T0, 1.0}, {T0 + kDay, 1.5, true}};
  const auto out = clean_register(in, std::nullopt);
  REQUIRE(out.points.size() == 2);
  CHECK_FALSE(out.points[0].manual);
  CHECK(out.points[1].manual);
}
