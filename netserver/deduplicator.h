#pragma once
// Collects the copies of one PHYPayload that several gateways receive. The first copy opens a
// window (dedup_window_ms); copies inside it join the frame's reception list; when the window
// closes the frame goes on, once. A copy arriving after that, within the late-copy horizon, is
// recognised as late and dropped — not mistaken for a replay. Pure: time is passed in.
// With several instances on one database the network server also claims each frame across
// instances (ReceivedFrame::claim; schema/frame_claims.h): the deduplicator only carries it.
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway-bridge/backend.h"

namespace uchet::netserver {

using SteadyTime = std::chrono::steady_clock::time_point;

struct ReceivedFrame {
  lorawan::Bytes phy_payload;
  std::vector<gateway_bridge::Reception> receptions;  // phy_payload of each is emptied to save memory
  SteadyTime first_seen;
  // Several instances on one database: the frame's claim across them, made when its window
  // opened (network_server.h). Not owned: another instance goes on with the frame, this one
  // hands it its receptions and, when the window closes, holds the frame until the owner has
  // processed it (or takes it over should the owner die first).
  struct Claim {
    std::array<std::uint8_t, 32> key{};  // SHA-256 of the PHYPayload
    std::int64_t claimed_at_ms = 0;      // the claim's time (database clock), tagging its receptions
    bool owner = true;
  };
  std::optional<Claim> claim;
  // Taken over from an owner that died before processing it (network_server.h): processed after
  // its class A windows were due, so it is stored and announced but not answered.
  bool taken_over = false;
};

class Deduplicator {
 public:
  enum class Outcome { NewFrame, CopyAdded, LateCopy };

  explicit Deduplicator(std::chrono::milliseconds window,
                        std::chrono::milliseconds late_copy_horizon = std::chrono::seconds(2))
      : window_(window), late_horizon_(late_copy_horizon) {}

  Outcome add(gateway_bridge::Reception&& rx, SteadyTime now);
  // Frames whose window has ended by `now`, in arrival order.
  std::vector<ReceivedFrame> close_due(SteadyTime now);
  // The frame whose window is open for these bytes, if any (to attach its claim, or to hand a
  // copy on); valid until the next add() or close_due().
  ReceivedFrame* open_frame(lorawan::ByteView phy_payload);
  // When the oldest open window ends.
  std::optional<SteadyTime> next_deadline() const;
  std::size_t open_frames() const { return open_order_.size(); }

 private:
  // One entry per PHYPayload, from its first copy until the late-copy horizon has passed: open
  // while its window runs, then kept (frame moved out) only to recognise late copies. Copies
  // are looked up by a view of their bytes, so only a frame's first copy allocates a key.
  struct Slot {
    std::optional<ReceivedFrame> open;
    SteadyTime forget_at{};
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  using Frames = std::unordered_map<std::string, Slot, KeyHash, std::equal_to<>>;

  void forget(SteadyTime now);

  std::chrono::milliseconds window_;
  std::chrono::milliseconds late_horizon_;
  Frames frames_;
  // Elements of an unordered_map keep their address when it rehashes.
  std::deque<Frames::value_type*> open_order_;    // windows end in the order they opened
  std::deque<Frames::value_type*> closed_order_;  // and are forgotten in the same order
};

}  // namespace uchet::netserver
