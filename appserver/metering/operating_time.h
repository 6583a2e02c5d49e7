#pragma once
// The lifecycle contract's coefficient of cumulative operating time. Pure.
//
// A device's period [from, to) is cut into reporting intervals of its reporting period P:
// [from + kP, from + (k+1)P), the last one possibly shorter. An interval counts as in service
// when the device is in service at its start; it counts as operating when, in addition, the
// device has a valid measured reading at a time t with start <= t < end, before its verification
// expired (verified_until). A reading is valid when it is measured and neither its quality flags
// nor its device status say otherwise (valid_for_operating). The device's
// coefficient = operating / in-service intervals (absent when none is in service).
// An outage is a maximal run of consecutive in-service, non-operating intervals; each outage is
// a failure. Its restore time is its length (run × P) when it ended inside the period (an
// operating interval follows it); outages still running at `to` have no restore time yet.
// Fleet: coefficient = Σ operating / Σ in service over all devices; devices below target;
// failures per year = failures / (Σ in-service time in years of 365 days); mean time to restore
// = mean restore time of ended outages.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uchet::appserver {

struct DeviceOperatingInput {
  std::string id;  // DevEUI text, for reporting
  std::int64_t reporting_period_s = 86400;
  std::vector<std::pair<std::int64_t, std::int64_t>> in_service;  // [start, end) spans, sorted
  std::vector<std::int64_t> valid_readings;                       // times of valid measured readings, sorted
  std::optional<std::int64_t> verified_until;  // verification due; readings from then on do not count. Absent: never
};

// Whether a stored reading is evidence that the meter worked: its comma-separated quality
// `flags` and device `status` (schema/readings.h) carry neither sensor_fault nor
// register_rollback ('-' and '_' spell the same flag).
bool valid_for_operating(std::string_view flags, std::string_view status);

struct DeviceOperating {
  std::string id;
  int intervals_in_service = 0;
  int intervals_operating = 0;
  std::optional<double> coefficient;  // operating / in service
  int failures = 0;
  std::vector<std::int64_t> restore_times_s;  // one per outage that ended in the period
  bool outage_ongoing = false;                // the last in-service interval is not operating
};

struct FleetOperating {
  std::vector<DeviceOperating> devices;  // in input order
  std::optional<double> coefficient;
  double target = 0.98;
  std::vector<std::string> below_target;  // ids of devices with a coefficient < target
  int failures = 0;
  std::optional<double> failures_per_year;
  std::optional<double> mean_time_to_restore_s;
};

DeviceOperating device_operating(const DeviceOperatingInput& device, std::int64_t from, std::int64_t to);
FleetOperating fleet_operating(std::span<const DeviceOperatingInput> devices, std::int64_t from, std::int64_t to,
                               double target = 0.98);

}  // namespace uchet::appserver
