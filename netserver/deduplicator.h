#pragma once
// Collects the copies of one PHYPayload that several gateways receive. The first copy opens a
// window (dedup_window_ms); copies inside it join the frame's reception list; when the window
// closes the frame goes on, once. A copy arriving after that, within the late-copy horizon, is
// recognised as late and dropped — not mistaken for a replay. Pure: time is passed in.
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway-bridge/bridge.h"

namespace uchet::netserver {

using SteadyTime = std::chrono::steady_clock::time_point;

struct ReceivedFrame {
  lorawan::Bytes phy_payload;
  std::vector<bridge::UplinkRx> receptions;  // phy_payload of each is emptied to save memory
  SteadyTime first_seen;
};

class Deduplicator {
 public:
  enum class Outcome { NewFrame, CopyAdded, LateCopy };

  explicit Deduplicator(std::chrono::milliseconds window,
                        std::chrono::milliseconds late_copy_horizon = std::chrono::seconds(2))
      : window_(window), late_horizon_(late_copy_horizon) {}

  Outcome add(bridge::UplinkRx&& rx, SteadyTime now);
  // Frames whose window has ended by `now`, in arrival order.
  std::vector<ReceivedFrame> close_due(SteadyTime now);
  // When the oldest open window ends.
  std::optional<SteadyTime> next_deadline() const;
  std::size_t open_frames() const { return open_.size(); }

 private:
  struct Closed {
    std::string key;
    SteadyTime forget_at;
  };
  std::chrono::milliseconds window_;
  std::chrono::milliseconds late_horizon_;
  std::unordered_map<std::string, ReceivedFrame> open_;
  std::deque<std::string> open_order_;  // windows end in the order they opened
  std::unordered_map<std::string, SteadyTime> recently_closed_;
  std::deque<Closed> closed_order_;
};

}  // namespace uchet::netserver
