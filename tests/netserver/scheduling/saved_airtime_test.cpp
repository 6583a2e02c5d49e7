// A gateway's saved duty-cycle hour seeds a new budget: the saved airtime counts as spent at the
// save and leaves the hour an hour after it; a save an hour old, or a sub-band the region no
// longer names, counts nothing; accounting the budget's own figures again adds nothing. RU864's
// 868.7-869.2 MHz sub-band (its default channels, RX2) allows 36 s an hour.
#include <catch2/catch.hpp>

#include <map>

#include "netserver/lorawan/region.h"
#include "netserver/scheduling/downlink_scheduler.h"
#include "netserver/scheduling/saved_airtime.h"

using namespace uchet;
using namespace uchet::netserver::scheduling;
using namespace std::chrono_literals;

namespace {

const lorawan::Region kRu864 = *lorawan::region_by_name("RU864");
const DutyCycle::Time kT0 = DutyCycle::Time{} + 100h;
constexpr std::uint32_t kDefaultChannel = 868'900'000;  // in 868.7-869.2
constexpr std::size_t kDefaultBand = 2;                 // its index in RU864's sub-bands
constexpr lorawan::Eui64 kGw = 0xAA555A0000000001;

SavedAirtime saved(std::chrono::seconds age, std::chrono::microseconds airtime, std::string sub_band = "868.7-869.2") {
  return saved_airtime({{"planned", 40}, {"refused.duty_cycle", 2}, {"airtime_us." + sub_band, airtime.count()}}, age);
}

gateway_bridge::Transmission sf12_at(std::uint64_t counter_us) {
  gateway_bridge::Transmission t;
  t.timing = gateway_bridge::CounterTime{counter_us, 0};
  t.frequency_hz = kDefaultChannel;
  t.data_rate = gateway_bridge::LoraRate{12, 125};
  t.phy_payload.assign(13, 0);  // about 1.2 s on air
  return t;
}

}  // namespace

TEST_CASE("The airtime figures are read back from a gateway's saved figures") {
  const auto s = saved_airtime(
      {{"airtime_us.864.0-865.0", 0}, {"airtime_us.868.7-869.2", 30'000'000}, {"sent", 12}, {"airtime_us.x", -1}}, 90s);
  CHECK(s.age == 90s);
  REQUIRE(s.by_sub_band.size() == 2);
  CHECK(s.by_sub_band[0] == std::pair<std::string, std::chrono::microseconds>("864.0-865.0", 0us));
  CHECK(s.by_sub_band[1] == std::pair<std::string, std::chrono::microseconds>("868.7-869.2", 30s));
}

TEST_CASE("A seeded budget refuses what a fresh one admits, until the saved airtime leaves the hour") {
  DutyCycle fresh(kRu864.sub_bands()), seeded(kRu864.sub_bands());
  // 30 s spent in the hour before a save ten minutes ago.
  CHECK(account_saved_airtime(seeded, saved(10min, 30s), kT0) == 1);
  CHECK(seeded.used(kT0)[kDefaultBand] == 30s);
  CHECK(fresh.admits(kDefaultChannel, kT0, 10s) == DutyCycle::Verdict::Admitted);
  CHECK(seeded.admits(kDefaultChannel, kT0, 10s) == DutyCycle::Verdict::OverBudget);
  CHECK(seeded.admits(kDefaultChannel, kT0, 6s) == DutyCycle::Verdict::Admitted);  // 36 s in all
  // It counts as spent at the save: it leaves the hour 50 minutes from now, not before.
  CHECK(seeded.admits(kDefaultChannel, kT0 + 50min - 1s, 10s) == DutyCycle::Verdict::OverBudget);
  CHECK(seeded.admits(kDefaultChannel, kT0 + 50min, 10s) == DutyCycle::Verdict::Admitted);
  // Not a booking: nothing gives it back.
  CHECK_FALSE(seeded.release(DutyCycle::kNoBooking));
}

TEST_CASE("A save an hour old or older is ignored") {
  DutyCycle budget(kRu864.sub_bands());
  CHECK(account_saved_airtime(budget, saved(1h, 36s), kT0) == 0);
  CHECK(account_saved_airtime(budget, saved(2h, 36s), kT0) == 0);
  CHECK(budget.used(kT0)[kDefaultBand] == 0us);
  CHECK(budget.admits(kDefaultChannel, kT0, 36s) == DutyCycle::Verdict::Admitted);
  // A second short of the hour still counts, for that second.
  CHECK(account_saved_airtime(budget, saved(1h - 1s, 36s), kT0) == 1);
  CHECK(budget.admits(kDefaultChannel, kT0, 1s) == DutyCycle::Verdict::OverBudget);
  CHECK(budget.admits(kDefaultChannel, kT0 + 1s, 1s) == DutyCycle::Verdict::Admitted);
}

TEST_CASE("A sub-band the configured region does not name is ignored") {
  DutyCycle budget(kRu864.sub_bands());
  // The single 864.0-870.0 band uchet had before 2026-12-07, and an EU868 sub-band.
  CHECK(account_saved_airtime(budget, saved(1min, 36s, "864.0-870.0"), kT0) == 0);
  CHECK(account_saved_airtime(budget, saved(1min, 36s, "869.4-869.65"), kT0) == 0);
  for (const auto used : budget.used(kT0)) CHECK(used == 0us);
  CHECK(budget.admits(kDefaultChannel, kT0, 36s) == DutyCycle::Verdict::Admitted);
}

TEST_CASE("A clock ahead of this one counts the save as made now") {
  DutyCycle budget(kRu864.sub_bands());
  CHECK(account_saved_airtime(budget, saved(-30s, 30s), kT0) == 1);
  CHECK(budget.admits(kDefaultChannel, kT0 + 1h - 1s, 10s) == DutyCycle::Verdict::OverBudget);
  CHECK(budget.admits(kDefaultChannel, kT0 + 1h, 10s) == DutyCycle::Verdict::Admitted);
}

TEST_CASE("Earlier airtime the budget already holds is not counted twice") {
  DutyCycle budget(kRu864.sub_bands());
  budget.add(1, kDefaultChannel, kT0, 20s);
  budget.add(2, kDefaultChannel, kT0 + 5min, 2s);  // after the save below: not in its figures
  // This budget's own save at kT0 + 1 min (20 s), read back: nothing new.
  budget.account_earlier(kDefaultBand, 20s, kT0 + 1min);
  CHECK(budget.used(kT0 + 6min)[kDefaultBand] == 22s);
  // Another instance's save then held 26 s: 6 s more, as spent at its save.
  budget.account_earlier(kDefaultBand, 26s, kT0 + 1min);
  CHECK(budget.used(kT0 + 6min)[kDefaultBand] == 28s);
  budget.account_earlier(kDefaultBand, 26s, kT0 + 1min);  // the same save again
  CHECK(budget.used(kT0 + 6min)[kDefaultBand] == 28s);
  // The booking from kT0 leaves the hour first; the earlier part at kT0 + 1 h + 1 min.
  CHECK(budget.used(kT0 + 1h)[kDefaultBand] == 8s);
  CHECK(budget.used(kT0 + 1h + 1min)[kDefaultBand] == 2s);
}

TEST_CASE("The scheduler reads a gateway's saved airtime when it first schedules for it, and after a silence") {
  std::map<lorawan::Eui64, SavedAirtime> store;
  int reads = 0;
  DownlinkScheduler s({kRu864.sub_bands().begin(), kRu864.sub_bands().end()},
                      [&](lorawan::Eui64 gateway) -> std::optional<SavedAirtime> {
                        ++reads;
                        const auto it = store.find(gateway);
                        if (it == store.end()) return std::nullopt;
                        return it->second;
                      });
  DownlinkScheduler fresh({kRu864.sub_bands().begin(), kRu864.sub_bands().end()});
  store[kGw] = saved(5min, 35s);  // 1 s of the hour left: an SF12 answer (1.2 s) does not fit
  s.heard(kGw, 10'000'000, kT0);
  fresh.heard(kGw, 10'000'000, kT0);
  CHECK(reads == 1);
  CHECK(fresh.book(kGw, sf12_at(11'000'000), DownlinkPriority::Answer, kT0));
  const auto refused = s.book(kGw, sf12_at(11'000'000), DownlinkPriority::Answer, kT0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == Refusal::DutyCycle);
  CHECK(s.figures(kT0)[0].airtime_last_hour[kDefaultBand].second == 35s);

  // Heard again within a minute: nothing read. After a longer silence (another instance may
  // have held the gateway meanwhile) its newer save is read: 20 s more there, as of 30 s ago.
  s.heard(kGw, 40'000'000, kT0 + 30s);
  CHECK(reads == 1);
  store[kGw] = saved(30s, 55s);
  s.heard(kGw, 200'000'000, kT0 + 3min);
  CHECK(reads == 2);
  CHECK(s.figures(kT0 + 3min)[0].airtime_last_hour[kDefaultBand].second == 55s);
}
