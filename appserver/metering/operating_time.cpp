#include "appserver/metering/operating_time.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace uchet::appserver {

namespace {

constexpr double seconds_per_year = 365.0 * 86400.0;  // the contract counts years of 365 days

// A reporting period that is not positive cannot cut the period into intervals; the storage
// treats an unknown period as daily, so the arithmetic does the same instead of looping forever.
std::int64_t usable_period(std::int64_t period_s) { return period_s > 0 ? period_s : 86400; }

bool in_service_at(const DeviceOperatingInput& device, std::int64_t t) {
  return std::any_of(device.in_service.begin(), device.in_service.end(),
                     [t](const auto& span) { return span.first <= t && t < span.second; });
}

bool has_reading_in(const DeviceOperatingInput& device, std::int64_t start, std::int64_t end) {
  // A meter whose verification expired measures nothing the contract accepts (Decree 354 item
  // 81(12) counts it as failed from the due day).
  if (device.verified_until) end = std::min(end, *device.verified_until);
  auto it = std::lower_bound(device.valid_readings.begin(), device.valid_readings.end(), start);
  return it != device.valid_readings.end() && *it < end;
}

struct Tally {
  DeviceOperating result;
  std::int64_t in_service_s = 0;  // the failure rate needs time, not intervals (the last one may be short)
};

Tally tally(const DeviceOperatingInput& device, std::int64_t from, std::int64_t to) {
  Tally tally;
  DeviceOperating& out = tally.result;
  out.id = device.id;
  const std::int64_t period = usable_period(device.reporting_period_s);

  // Intervals out of service neither extend nor end an outage: downtime is counted only while
  // the device is owed to the contract, and a meter taken out for repair and put back working
  // has been restored. So every failure either gets a restore time or is the one still running.
  int run = 0;
  for (std::int64_t start = from; start < to; start += period) {
    const std::int64_t end = std::min(start + period, to);
    if (!in_service_at(device, start)) continue;
    ++out.intervals_in_service;
    tally.in_service_s += end - start;
    if (has_reading_in(device, start, end)) {
      ++out.intervals_operating;
      if (run > 0) out.restore_times_s.push_back(run * period);
      run = 0;
    } else {
      if (run == 0) ++out.failures;
      ++run;
    }
  }
  out.outage_ongoing = run > 0;
  if (out.intervals_in_service > 0)
    out.coefficient = static_cast<double>(out.intervals_operating) / out.intervals_in_service;
  return tally;
}

bool disqualifying(std::string_view list) {
  std::size_t begin = 0;
  while (begin <= list.size()) {
    const std::size_t comma = std::min(list.find(',', begin), list.size());
    std::string flag(list.substr(begin, comma - begin));
    std::replace(flag.begin(), flag.end(), '-', '_');
    if (flag == "register_rollback" || flag == "sensor_fault") return true;
    begin = comma + 1;
  }
  return false;
}

}  // namespace

bool valid_for_operating(std::string_view flags, std::string_view status) {
  return !disqualifying(flags) && !disqualifying(status);
}

DeviceOperating device_operating(const DeviceOperatingInput& device, std::int64_t from, std::int64_t to) {
  return tally(device, from, to).result;
}

FleetOperating fleet_operating(std::span<const DeviceOperatingInput> devices, std::int64_t from, std::int64_t to,
                               double target) {
  FleetOperating fleet;
  fleet.target = target;
  long long in_service = 0, operating = 0;
  std::int64_t in_service_s = 0;
  std::vector<std::int64_t> restores;
  for (const auto& device : devices) {
    Tally t = tally(device, from, to);
    in_service += t.result.intervals_in_service;
    operating += t.result.intervals_operating;
    in_service_s += t.in_service_s;
    fleet.failures += t.result.failures;
    restores.insert(restores.end(), t.result.restore_times_s.begin(), t.result.restore_times_s.end());
    if (t.result.coefficient && *t.result.coefficient < target) fleet.below_target.push_back(t.result.id);
    fleet.devices.push_back(std::move(t.result));
  }
  // Pooled over intervals, not averaged over devices: a device commissioned late weighs less,
  // which is how the contract's "cumulative" operating time reads.
  if (in_service > 0) fleet.coefficient = static_cast<double>(operating) / static_cast<double>(in_service);
  if (in_service_s > 0)
    fleet.failures_per_year = fleet.failures / (static_cast<double>(in_service_s) / seconds_per_year);
  if (!restores.empty())
    fleet.mean_time_to_restore_s =
        static_cast<double>(std::accumulate(restores.begin(), restores.end(), std::int64_t{0})) / restores.size();
  return fleet;
}

}  // namespace uchet::appserver
