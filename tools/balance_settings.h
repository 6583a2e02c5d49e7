#pragma once
// The [balance] and [vee] configuration as the appserver's balance settings; shared by uchetd
// (daily balance events, imbalance alarms) and uchetctl (balance reports) so both agree.
#include "appserver/metering/object_balance.h"
#include "tools/config.h"

namespace uchet {

inline appserver::BalanceSettings balance_settings(const Config& config) {
  appserver::BalanceSettings s;
  s.alarm_threshold_pct = config.balance.alarm_threshold_pct;
  s.alarm_days = config.balance.alarm_days;
  s.publish_delay_s = static_cast<std::int64_t>(config.balance.publish_delay_h) * 3600;
  s.linear_max_gap_s = static_cast<std::int64_t>(config.vee.linear_max_gap_h) * 3600;
  s.validation.spike_factor = config.vee.spike_factor;
  s.validation.frozen_intervals = config.vee.frozen_days;
  return s;
}

}  // namespace uchet
