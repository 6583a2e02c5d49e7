#pragma once
// What simulated devices really received from JIT-judging simulated gateways: each transmission a
// gateway put on air (SimulatedGateway::transmissions) is matched by DevAddr to a device, must
// fall in that device's RX1 or RX2 after its latest uplink through that gateway (the only moments
// a class A device listens), and is verified by the device (MIC, counters, decryption). Downlinks
// refused by the gateway or lost silently never reach a device. Used by the scheduling e2e tests
// and the synchronised-fleet benchmark.
//
// Not thread-safe; the devices are the caller's and must outlive the tracker.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "tools/sim/simulated_device.h"
#include "tools/sim/simulated_gateway.h"

namespace uchet::sim {

struct Delivered {
  std::size_t device = 0;  // index given to track()
  lorawan::Eui64 gateway = 0;
  bool rx2 = false;
  DeviceDownlink frame;
  Transmitted transmission;
};

class DeliveryTracker {
 public:
  // Device `index` (the caller's numbering) has joined: its DevAddr now names it.
  void track(std::size_t index, SimulatedDevice& device);
  // Device `index` sent an uplink heard by `gateway` at counter `tmst`; its receive windows open
  // rx1_delay_us and rx1_delay_us + 1 s later.
  void uplink_sent(std::size_t index, lorawan::Eui64 gateway, std::uint32_t tmst,
                   std::uint32_t rx1_delay_us = 1'000'000);
  // The transmissions `gateway` put on air since the last call, given to their devices: those a
  // device received in one of its windows and accepted.
  std::vector<Delivered> collect(SimulatedGateway& gateway);

  // Transmissions on air that no device could take: no tracked DevAddr (join-accepts are not
  // data frames), outside the addressee's windows, or refused by it (MIC, counter).
  std::size_t not_for_a_device = 0, out_of_window = 0, refused_by_device = 0;

 private:
  struct Tracked {
    SimulatedDevice* device = nullptr;
    std::map<lorawan::Eui64, std::uint32_t> rx1;  // per gateway: RX1 counter value of the latest uplink
  };
  std::vector<Tracked> devices_;
  std::map<lorawan::DevAddr, std::size_t> by_address_;
  std::map<lorawan::Eui64, std::size_t> seen_;  // per gateway: transmissions already collected
};

}  // namespace uchet::sim
