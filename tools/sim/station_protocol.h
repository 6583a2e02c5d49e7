#pragma once
// The station's half of the LoRa Basics Station LNS protocol (2.0.x), written from the station's
// source (src/s2e.c, src/lora.c, src/tc.c, src/uj.c of Basics Station 2.0.6) and not from the
// server's parser, so tests check the server against an independent implementation: it builds
// what a station sends (the router-info request, `version`, `jreq`/`rejoin`/`updf`/`propdf`
// with the frame split into fields as lora.c splits it, `dntxed`, `timesync`) and parses what a
// server sends, refusing what a 2.0.6 station refuses (router_config without hwspec or a
// concentrator config, dnmsg missing a mandatory field, a DR the config does not define, a
// frequency outside freq_range). Pure: values in, JSON text or reasons out; never throws.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::sim::station {

using lorawan::Bytes;
using lorawan::ByteView;
using lorawan::Eui64;
using lorawan::Result;

// --- identifiers and time -------------------------------------------------------------------

// "00-16-C0-01-FF-00-00-01": how a station writes an EUI in JSON (uj_encEui).
std::string eui_text(Eui64 eui);
// "16:c001:ff00:1": the ID6 form the station sends as `router` in the router-info request.
std::string id6_text(Eui64 eui);

// xtime: bits 63..56 radio unit, 55..48 session (changes when the station restarts its radio
// layer), 47..0 the concentrator's µs counter extended to 48 bits. Always a 64-bit integer in
// JSON: it exceeds 2^53 and must never pass through a double.
std::int64_t make_xtime(std::uint8_t radio_unit, std::uint8_t session, std::uint64_t counter_us);
std::uint8_t xtime_radio_unit(std::int64_t xtime);
std::uint8_t xtime_session(std::int64_t xtime);
std::uint64_t xtime_counter_us(std::int64_t xtime);

// --- what a station sends -------------------------------------------------------------------

// {"router":"<ID6>"}: the discovery request (tc.c), sent on GET /router-info.
std::string build_router_info_request(Eui64 router);

// The first message on the traffic socket (tc.c tc_muxs_connection).
struct StationVersion {
  std::string station = "2.0.6(sim/std)";
  std::string firmware = "uchet-sim";
  std::string package = "uchet-sim";
  std::string model = "linux";
  int protocol = 2;
  std::string features = "rmtsh";
};
std::string build_version(const StationVersion& version = {});

// How the station received a frame: the `upinfo` object plus DR and Freq.
struct UplinkReception {
  std::uint8_t data_rate = 5;
  std::uint32_t frequency_hz = 868'900'000;
  std::int64_t rctx = 0;
  std::int64_t xtime = 0;
  std::int64_t gpstime = 0;  // µs since the GPS epoch; 0 when the station has no GPS time
  std::int64_t fts = -1;     // fine timestamp; -1 none
  int rssi_dbm = -60;
  double snr_db = 7.5;
  double rxtime = 0;  // UTC seconds
  double ref_time = 0;
};

// The message a station sends for the frame `phy_payload` (lora.c s2e_parse_lora_frame):
// "jreq"/"rejoin" (MHdr, JoinEui, DevEui, DevNonce, MIC), "updf" (MHdr, DevAddr and MIC as
// signed 32-bit, FCtrl, FCnt, FOpts, FPort -1 when absent, FRMPayload), "propdf" (the whole
// frame) — each followed by RefTime, DR, Freq and upinfo. An error for what the station drops
// (shorter than 12 bytes, a major version other than LoRaWAN R1, a join-request not 23 bytes).
Result<std::string> build_uplink(ByteView phy_payload, const UplinkReception& reception);

// The transmission confirmation of a dnmsg (s2e.c send_dntxed).
struct Dntxed {
  std::int64_t diid = 0;
  std::uint8_t data_rate = 0;
  std::uint32_t frequency_hz = 0;
  Eui64 dev_eui = 0;
  std::int64_t rctx = 0;  // the antenna that sent it
  std::int64_t xtime = 0;
  double txtime = 0;  // the station's µs clock, in seconds
  std::int64_t gpstime = 0;
};
std::string build_dntxed(const Dntxed& confirmation);

// {"msgtype":"timesync","txtime":<station µs clock>} (timesync.c).
std::string build_timesync_request(std::int64_t txtime_us);

// --- what a server sends --------------------------------------------------------------------

// The value of "msgtype", or an error for text that is not a JSON object with one.
Result<std::string> message_type(std::string_view text);

// The router-info answer (tc.c): either a traffic URI or an error text from the server.
struct RouterInfo {
  std::string router;
  std::string muxs;
  std::string uri;    // ws://host:port/path or wss://host:port/path; empty with `error`
  std::string error;  // the server's refusal, when it gave one
};
// An error for malformed JSON and for a URI a station refuses: not ws/wss, no explicit port or
// no path (tc.c "Illegal muxs URI (no port/path etc.)").
Result<RouterInfo> parse_router_info(std::string_view text);

// One entry of router_config's DRs: [SF, BW kHz, downlink-only]; SF 0 is FSK, SF -1 undefined.
struct StationDataRate {
  int spreading_factor = -1;
  int bandwidth_khz = 125;
  bool downlink_only = false;
  bool defined() const { return spreading_factor >= 0; }
};

struct RouterConfig {
  std::string region;         // as sent
  bool region_known = false;  // among the names 2.0.6 knows; otherwise it drops every dnmsg
  std::uint32_t min_frequency_hz = 0, max_frequency_hz = 0;
  std::array<StationDataRate, 16> data_rates{};
  std::string hwspec;
  std::optional<double> max_eirp;
  double tx_power_dbm = 14;        // what the station transmits at: its region default, max_eirp applied
  bool region_duty_cycle = false;  // the station enforces its own EU868 duty-cycle bands
  std::optional<std::vector<std::uint32_t>> net_ids;  // absent or null: all NetIDs pass
  std::vector<std::pair<Eui64, Eui64>> join_eui_ranges;
  std::optional<double> mux_time;
};
// s2e.c handle_router_config: hwspec and one of sx1301_conf/SX1301_conf/sx1302_conf/
// SX1302_conf/radio_conf are required (the station closes the socket otherwise); freq_range
// must hold two frequencies, DRs at most 16 [sf, bw, dnonly] triples.
Result<RouterConfig> parse_router_config(std::string_view text);

struct WindowParameters {
  std::uint8_t data_rate = 0;
  std::uint32_t frequency_hz = 0;
};

// A dnmsg as the station takes it (s2e.c handle_dnmsg).
struct Dnmsg {
  Eui64 dev_eui = 0;
  int device_class = 0;  // dC: 0 A, 1 B, 2 C
  std::int64_t diid = 0;
  Bytes pdu;
  int rx_delay_s = 1;     // 0 maps to 1; absent maps to 1 (the station logs a warning)
  bool absolute = false;  // the DR/Freq form: RxDelay 0, transmit at xtime itself
  bool rx_delay_given = false;
  int priority = 0;
  std::int64_t xtime = 0;  // the uplink's xtime echoed; 0: absent
  std::optional<std::int64_t> rctx;
  std::int64_t gpstime = 0;
  std::optional<WindowParameters> rx1;
  std::optional<WindowParameters> rx2;
  std::optional<double> mux_time;
};
// Errors for what the station drops: region unknown ("dnmsg before router_config"), DevEui, dC,
// diid or pdu missing, RX1DR/RX1Freq or RX2DR/RX2Freq given alone, neither window, a DR the
// config leaves undefined, a frequency outside freq_range, dC out of 0..2, RxDelay out of 0..15,
// a pdu over 255 bytes.
Result<Dnmsg> parse_dnmsg(std::string_view text, const RouterConfig& config);

// The xtime the station transmits a class A/C dnmsg at when it uses RX1 (its xtime plus RxDelay
// seconds; the DR/Freq form: xtime itself), and RX2 (one second after RX1). Absent without an
// xtime (class C with only RX2: "as soon as possible").
std::optional<std::int64_t> rx1_transmit_xtime(const Dnmsg& message);
std::optional<std::int64_t> rx2_transmit_xtime(const Dnmsg& message);

// The server's timesync answer: txtime echoed with the GPS time (µs) when the server measured
// it; or the server-initiated form with xtime and gpstime.
struct TimesyncAnswer {
  std::optional<std::int64_t> txtime;
  std::optional<std::int64_t> xtime;
  std::int64_t gpstime = 0;
};
Result<TimesyncAnswer> parse_timesync(std::string_view text);

}  // namespace uchet::sim::station
