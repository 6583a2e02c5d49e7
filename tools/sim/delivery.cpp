#include "tools/sim/delivery.h"

namespace uchet::sim {

void DeliveryTracker::track(std::size_t index, SimulatedDevice& device) {
  if (devices_.size() <= index) devices_.resize(index + 1);
  devices_[index].device = &device;
  by_address_[device.session().dev_addr] = index;
}

void DeliveryTracker::uplink_sent(std::size_t index, lorawan::Eui64 gateway, std::uint32_t tmst,
                                  std::uint32_t rx1_delay_us) {
  devices_.at(index).rx1[gateway] = tmst + rx1_delay_us;
}

std::vector<Delivered> DeliveryTracker::collect(SimulatedGateway& gateway) {
  std::vector<Delivered> out;
  const auto transmissions = gateway.transmissions();
  auto& seen = seen_[gateway.eui()];
  for (; seen < transmissions.size(); ++seen) {
    const Transmitted& t = transmissions[seen];
    if (!t.on_air()) continue;
    const auto& phy = t.downlink.txpk.phy_payload;
    const auto mtype = phy.empty() ? 0 : phy[0] >> 5;
    if (phy.size() < 12 || (mtype != 3 && mtype != 5)) {  // not an (un)confirmed data down
      ++not_for_a_device;
      continue;
    }
    const lorawan::DevAddr address = static_cast<lorawan::DevAddr>(phy[1] | phy[2] << 8 | phy[3] << 16) |
                                     static_cast<lorawan::DevAddr>(phy[4]) << 24;
    const auto found = by_address_.find(address);
    if (found == by_address_.end()) {
      ++not_for_a_device;
      continue;
    }
    Tracked& tracked = devices_[found->second];
    const auto window = tracked.rx1.find(gateway.eui());
    const auto at = t.downlink.tmst();
    if (window == tracked.rx1.end() || !at || (*at != window->second && *at != window->second + 1'000'000u)) {
      ++out_of_window;
      continue;
    }
    auto frame = tracked.device->receive_downlink(phy);
    if (!frame) {
      ++refused_by_device;
      continue;
    }
    out.push_back({found->second, gateway.eui(), *at != window->second, std::move(*frame), t});
  }
  return out;
}

}  // namespace uchet::sim
