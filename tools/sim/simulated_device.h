#pragma once
// A class A end-device as the network server sees it over the air, built only from the
// LoRaWAN core: it activates by OTAA (join-request with an increasing DevNonce, join-accept
// decrypted, checked and turned into session keys), sends data uplinks (confirmed or not, FPort
// and payload, MAC commands in FOpts, full 32-bit FCntUp) and checks every downlink it is given
// as a real device would: MIC, frame counter, then FOpts / FRMPayload decrypted and MAC commands
// decoded. LoRaWAN 1.0.x and 1.1 (OptNeg) are both supported. No I/O and no clocks: frames in,
// frames out. Not thread-safe.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/join_accept.h"
#include "netserver/lorawan/keys.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/region.h"
#include "netserver/lorawan/types.h"

namespace uchet::sim {

using lorawan::Bytes;
using lorawan::ByteView;
using lorawan::DevAddr;
using lorawan::Eui64;
using lorawan::Key;
using lorawan::Result;

enum class MacVersion { V1_0_2, V1_0_3, V1_0_4, V1_1 };
// "1.0.2", "1.0.3", "1.0.4", "1.1": the spelling uchetctl --mac-version takes.
std::string_view to_string(MacVersion version);
Result<MacVersion> parse_mac_version(std::string_view text);

// What is provisioned in the device (and, through uchetctl, in the network server).
struct DeviceIdentity {
  Eui64 dev_eui = 0;
  Eui64 join_eui = 0;
  Key app_key{};
  std::optional<Key> nwk_key;  // LoRaWAN 1.1 only (required there)
  MacVersion mac_version = MacVersion::V1_0_3;
  std::uint16_t first_dev_nonce = 0;  // DevNonce of the first join-request
};

// The radio channel an uplink goes out on. LoRaWAN 1.1 signs the data-rate index and the channel
// index into the uplink MIC, so the device and the gateway reporting the frame must agree.
struct UplinkChannel {
  std::uint32_t frequency_hz = 868'900'000;  // RU864 default channel 0
  std::uint8_t data_rate = 5;                // SF7BW125
};

// The session a join-accept established.
struct DeviceSession {
  DevAddr dev_addr = 0;
  lorawan::NetId net_id = 0;
  std::uint32_t join_nonce = 0;
  std::uint16_t dev_nonce = 0;
  lorawan::DlSettings dl_settings;
  std::uint8_t rx_delay_s = 1;                   // 0 on air means 1 s
  std::vector<std::uint32_t> extra_channels_hz;  // from the join-accept's CFList
  bool lorawan_11 = false;                       // 1.1 device and the server set OptNeg
  lorawan::SessionKeys keys;
};

struct UplinkOptions {
  bool confirmed = false;
  std::optional<std::uint8_t> fport;                    // absent: no FRMPayload
  Bytes payload;                                        // plaintext FRMPayload (MAC commands when fport is 0)
  std::vector<lorawan::UplinkMacCommand> mac_commands;  // go into FOpts (at most 15 bytes)
  bool ack = false;                                     // acknowledges the last confirmed downlink
  bool adr = false;
  bool adr_ack_req = false;
  UplinkChannel channel;
  std::optional<std::uint32_t> fcnt;  // overrides (and then continues from) the device's FCntUp
};

// A verified, decrypted downlink.
struct DeviceDownlink {
  bool confirmed = false;
  lorawan::FCtrl fctrl;      // fctrl.ack: acknowledges our last confirmed uplink
  std::uint32_t fcnt = 0;    // full 32-bit FCntDown (NFCntDown or AFCntDown in 1.1)
  bool a_fcnt_down = false;  // 1.1: counted by AFCntDown (FPort > 0)
  bool duplicate = false;    // repeats the last counter value seen
  std::optional<std::uint8_t> fport;
  Bytes payload;                                          // decrypted application payload (empty for FPort 0)
  std::vector<lorawan::DownlinkMacCommand> mac_commands;  // FOpts, or FRMPayload on FPort 0
  std::size_t unparsed_mac_bytes = 0;
};

enum class DownlinkFault {
  Malformed,  // not a data downlink at all
  NotForMe,   // another DevAddr, or no session yet
  BadMic,     // also what a counter gone backwards looks like: the 16 bits are read as a roll-over
};
struct DownlinkError {
  DownlinkFault fault = DownlinkFault::Malformed;
  std::string reason;
};
using DownlinkResult = std::expected<DeviceDownlink, DownlinkError>;

class SimulatedDevice {
 public:
  explicit SimulatedDevice(DeviceIdentity identity, lorawan::Region region = *lorawan::region_by_name("RU864"));

  const DeviceIdentity& identity() const { return identity_; }
  Eui64 dev_eui() const { return identity_.dev_eui; }

  // A join-request with the next DevNonce; it stays the one a join-accept is checked against
  // until the next call.
  Bytes join_request();
  std::optional<std::uint16_t> last_dev_nonce() const { return last_dev_nonce_; }

  // Decrypts and checks an on-air join-accept for the last join-request. On success the device
  // has a new session with all counters at zero. A join-accept that fails (e.g. one meant for
  // another device, which decrypts to garbage; or, for 1.0.4 and 1.1, a JoinNonce not above the
  // last accepted one) leaves the device as it was.
  Result<DeviceSession> accept_join(ByteView on_air_join_accept);
  // Activation by personalisation: the session is provisioned, counters start at zero (as
  // accept_join leaves them). For load runs that must not spend gateway airtime on joins.
  void activate_abp(const DeviceSession& session);
  bool joined() const { return session_.has_value(); }
  const DeviceSession& session() const;  // precondition: joined()

  // A data uplink with the next FCntUp (which then advances). Precondition: joined().
  Result<Bytes> uplink(const UplinkOptions& options);
  std::uint32_t next_fcnt_up() const { return fcnt_up_; }

  // Checks a data downlink addressed to this device (see DownlinkFault for the refusals).
  DownlinkResult receive_downlink(ByteView phy_payload);
  std::optional<std::uint32_t> last_fcnt_down() const { return n_fcnt_down_; }
  std::optional<std::uint32_t> last_a_fcnt_down() const { return a_fcnt_down_; }

 private:
  const Key& join_root_key() const;  // AppKey in 1.0.x, NwkKey in 1.1

  DeviceIdentity identity_;
  lorawan::Region region_;
  std::uint16_t next_dev_nonce_;
  std::optional<std::uint16_t> last_dev_nonce_;
  std::optional<DeviceSession> session_;
  std::optional<std::uint32_t> last_join_nonce_;
  std::uint32_t fcnt_up_ = 0;
  std::optional<std::uint32_t> n_fcnt_down_;  // the only FCntDown in 1.0.x
  std::optional<std::uint32_t> a_fcnt_down_;
  std::optional<std::uint32_t> last_confirmed_uplink_fcnt_;    // 1.1 downlink MIC (ConfFCnt)
  std::optional<std::uint32_t> last_confirmed_downlink_fcnt_;  // 1.1 uplink MIC (ConfFCnt)
};

}  // namespace uchet::sim
