#include <catch2/catch.hpp>

#include "appserver/metering/clock_model.h"

using namespace uchet::appserver;

TEST_CASE("a device clock 120 s fast") {
  // Device says 2025-11-22T10:00:00Z; the network saw the stamp at 09:58:00.3Z.
  const ClockObservation obs{1763805600, 1763805480.3};
  const double offset = observed_offset(obs);
  CHECK(offset == Approx(119.7).margin(1e-6));
  CHECK(corrected_time(obs.device_time, offset) == 1763805480);
  CHECK(correction_seconds(offset) == -120);
  CHECK(needs_correction(offset, 60));
  CHECK_FALSE(needs_correction(offset, 120));
}

TEST_CASE("a slow device clock") {
  CHECK(observed_offset({1000, 1030.4}) == Approx(-30.4));
  CHECK(corrected_time(1000, -30.4) == 1030);
  CHECK(correction_seconds(-30.4) == 30);
  CHECK(needs_correction(-30.4, 30));
  CHECK_FALSE(needs_correction(-30.4, 31));
  CHECK_FALSE(needs_correction(0.0, 0));
}

TEST_CASE("the tracked offset is smoothed, and replaced when the clock jumps") {
  ClockState s;
  CHECK_FALSE(s.offset_s);
  s = update_clock(s, 119.7, 100);
  CHECK(*s.offset_s == Approx(119.7));
  CHECK(s.observations == 1);
  CHECK(s.updated_at == 100);
  s = update_clock(s, 120.7, 200);  // within 2 s: averaged with weight 0.5
  CHECK(*s.offset_s == Approx(120.2));
  CHECK(s.observations == 2);
  CHECK(s.updated_at == 200);
  s = update_clock(s, 122.2, 300);  // exactly 2 s away still counts as jitter
  CHECK(*s.offset_s == Approx(121.2));
  CHECK(s.observations == 3);
  s = update_clock(s, 0.4, 400);  // the device clock was set: the newest observation wins
  CHECK(*s.offset_s == Approx(0.4));
  CHECK(s.observations == 1);
  s = update_clock(s, -1.7, 500);  // 2.1 s away: a jump again
  CHECK(*s.offset_s == Approx(-1.7));
  CHECK(s.observations == 1);
}

TEST_CASE("unset clocks: readings go to the nearest reporting-period boundary") {
  CHECK(nearest_period_boundary(1763805480.3, 3600) == 1763805600);  // 09:58:00.3 -> 10:00
  CHECK(nearest_period_boundary(1763805600.0, 3600) == 1763805600);
  CHECK(nearest_period_boundary(1763803800.0, 3600) == 1763805600);  // halfway rounds up
  CHECK(nearest_period_boundary(1763803799.9, 3600) == 1763802000);
  CHECK(nearest_period_boundary(1763805480.3, 900) == 1763805600);
  CHECK(nearest_period_boundary(1763805149.0, 900) == 1763804700);
  CHECK(nearest_period_boundary(1763805480.3, 86400) == 1763769600);  // 2025-11-22T00:00Z
}
