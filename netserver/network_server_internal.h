#pragma once
// Private to the NetworkServer's translation units.
#include <optional>

#include "netserver/network_server.h"

namespace uchet::netserver {

struct NetworkServer::DownlinkPlan {
  lorawan::Eui64 dev_eui = 0;
  lorawan::Eui64 gateway_eui = 0;
  bridge::TxPacket rx1;
  std::optional<bridge::TxPacket> rx2;  // retry when the gateway cannot make RX1
  std::optional<std::int64_t> queue_item_id;
  std::uint32_t f_cnt_down = 0;
  bool join_accept = false;
};

struct NetworkServer::PendingDownlink {
  DownlinkPlan plan;
  bool on_rx2 = false;
};

SystemTime to_system_time(std::chrono::nanoseconds since_epoch);

}  // namespace uchet::netserver
