#include "netserver/scheduling/saved_airtime.h"

#include <algorithm>

namespace uchet::netserver::scheduling {

SavedAirtime saved_airtime(const std::vector<std::pair<std::string, std::int64_t>>& figures, std::chrono::seconds age) {
  SavedAirtime out{.age = age, .by_sub_band = {}};
  for (const auto& [name, value] : figures) {
    if (!name.starts_with(kAirtimeFigurePrefix) || value < 0) continue;
    out.by_sub_band.emplace_back(name.substr(kAirtimeFigurePrefix.size()), std::chrono::microseconds(value));
  }
  return out;
}

std::size_t account_saved_airtime(DutyCycle& budget, const SavedAirtime& saved, DutyCycle::Time now) {
  if (saved.age >= kDutyCycleWindow) return 0;  // all of it has left the hour
  const auto at = now - std::max(saved.age, std::chrono::seconds(0));
  const auto bands = budget.sub_bands();
  std::size_t accounted = 0;
  for (const auto& [name, airtime] : saved.by_sub_band) {
    const auto it = std::find_if(bands.begin(), bands.end(), [&](const auto& b) { return b.name == name; });
    if (it == bands.end()) continue;  // the region or its sub-bands changed since the save
    budget.account_earlier(static_cast<std::size_t>(it - bands.begin()), airtime, at);
    ++accounted;
  }
  return accounted;
}

}  // namespace uchet::netserver::scheduling
