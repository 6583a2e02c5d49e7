#pragma once
// The LoRa Basics Station "LNS protocol" (station 2.0.x) as values: parsing what a station sends
// on its traffic socket and writing what the server sends back, plus the discovery exchange of
// GET /router-info. Pure: no sockets, no threads, no clocks (the caller passes "now"). Called by
// the Basics Station backend (station_backend.h) on its own thread; every function is
// thread-safe (parsing uses the calling thread's simdjson parser, common/json_fields.h).
//
// Untrusted input: a message larger than the bound, malformed or nested JSON, a wrong type, a
// missing field or an implausible value is refused with a human-readable reason; nothing
// throws. The caller counts and logs refusals and keeps the connection.
//
// Uplinks arrive as fields, not bytes (jreq: MHdr, JoinEui, DevEui, DevNonce, MIC; updf: MHdr,
// DevAddr, FCtrl, FCnt, FOpts, FPort, FRMPayload, MIC; propdf: the whole frame as FRMPayload).
// The parser rebuilds the exact PHYPayload, so that MIC checks and deduplication see the same
// bytes a Semtech UDP gateway would have forwarded. DevAddr and MIC are signed 32-bit integers
// on the wire, FPort −1 means absent.
//
// Time. "xtime" is the station's 64-bit time stamp: bits 0..47 a µs counter of one radio,
// bits 48..63 the radio unit and a session number. It exceeds 2^53 and is read as a 64-bit
// integer, never through a double. Contract for the counter:
//   Reception::counter.counter_us = xtime & 0xFFFF'FFFF'FFFF   (the 48-bit µs part)
//   Reception::counter.context    = xtime                      (the whole 64-bit value)
// so a class A answer (a CounterTime derived from that reception) echoes the uplink's xtime
// exactly (build_dnmsg). "gpstime" is µs since the GPS epoch (0 = none), "rxtime" UTC seconds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/region.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::basic_station {

// Largest message accepted from a station. An updf with a 242-byte FRMPayload and its upinfo is
// about 800 bytes; 16 KiB leaves room for long version strings and future fields, and bounds
// what a hostile peer can make the parser chew.
inline constexpr std::size_t kDefaultMaxMessageBytes = 16 * 1024;

// The 48-bit µs counter inside an xtime and the bits above it (radio unit, session).
inline constexpr std::uint64_t kXtimeCounterMask = 0xFFFF'FFFF'FFFFull;

// ---- discovery (GET /router-info) --------------------------------------------------------

// `{"router": <EUI>}`, the EUI as an integer or any text form (eui_text.h).
lorawan::Result<lorawan::Eui64> parse_discovery_request(std::string_view json,
                                                        std::size_t max_bytes = kDefaultMaxMessageBytes);

// "wss://host:port/traffic/<dashed eui>" ("ws://" when !tls). The port is always written: the
// station rejects a URI without one.
std::string traffic_uri(bool tls, std::string_view host, std::uint16_t port, lorawan::Eui64 router);

// `{"router":"<id6>","muxs":"<id6>","uri":"<traffic uri>"}`.
std::string build_discovery_answer(lorawan::Eui64 router, lorawan::Eui64 muxs, std::string_view uri);
// `{"router":"<id6>","error":"<reason>"}`.
std::string build_discovery_error(lorawan::Eui64 router, std::string_view reason);

// ---- station -> server -------------------------------------------------------------------

struct VersionMessage {
  std::string station;   // e.g. "2.0.6(rpi/std)"
  std::string firmware;  // empty when the station sent null or nothing
  std::string package;
  std::string model;
  int protocol = 0;      // MUXS protocol version, 2 for station 2.0.x
  std::string features;  // space-separated, e.g. "rmtsh gps"
};

enum class UplinkKind : std::uint8_t {
  JoinRequest,  // "jreq"
  DataFrame,    // "updf"
  Proprietary,  // "propdf"
};

struct UplinkMessage {
  UplinkKind kind = UplinkKind::DataFrame;
  // gateway_eui, counter (see the contract above), gps_time (ms, from gpstime µs; absent when
  // 0), utc_time (from rxtime; absent when 0), frequency_hz, rssi_dbm, snr_db, data_rate (from
  // DR via the region), coding_rate 4/5 for LoRa, phy_payload rebuilt, received_at.
  // channel and rf_chain are 0: the station does not report them.
  Reception reception;
  std::int64_t rctx = 0;    // upinfo.rctx: the radio that heard it, for the downlink's "rctx"
  std::uint64_t xtime = 0;  // upinfo.xtime as sent (== reception.counter.context)
  std::uint8_t dr = 0;      // "DR" as sent (the region's index)
};

// A downlink the station put on air.
struct DntxedMessage {
  std::uint64_t diid = 0;  // the id the server gave it in dnmsg
  lorawan::Eui64 dev_eui = 0;
  std::int64_t rctx = 0;      // the antenna that sent it
  std::uint64_t xtime = 0;    // when, on that radio's counter
  double txtime = 0;          // station's local time of the transmission, seconds
  std::uint64_t gpstime = 0;  // µs since the GPS epoch, 0 = the station has no GPS time
};

// The station asks for GPS time; the answer echoes txtime (build_timesync_answer).
struct TimesyncRequest {
  std::int64_t txtime = 0;  // the station's µs clock when it sent the request
};

using StationMessage = std::variant<VersionMessage, UplinkMessage, DntxedMessage, TimesyncRequest>;

// One text message from the traffic socket of `gateway_eui`, received at `received_at`. Any
// "msgtype" other than version, jreq, updf, propdf, dntxed and timesync is an error starting
// "unknown message type " followed by the name (a 2.0.6 station also sends "rejoin" for a
// 23-byte frame of type Rejoin, which no Rejoin-request has, and "dndf"/"jacc" in its device
// mode: none is an uplink uchet can use).
lorawan::Result<StationMessage> parse_station_message(std::string_view json, const lorawan::Region& region,
                                                      lorawan::Eui64 gateway_eui,
                                                      std::chrono::steady_clock::time_point received_at,
                                                      std::size_t max_bytes = kDefaultMaxMessageBytes);

// ---- server -> station -------------------------------------------------------------------

// What a dnmsg carries beyond the Transmission.
struct DownlinkAddressing {
  std::uint64_t diid = 0;  // names the downlink; dntxed echoes it (must be < 2^63)
  // The station confirms (dntxed) only a dnmsg with a non-zero DevEui (basicstation#71): 0 is
  // sent as 01-01-01-01-01-01-01-01, as ChirpStack's bridge does, so that it still confirms.
  lorawan::Eui64 dev_eui = 0;
  std::optional<std::int64_t> rctx;  // the uplink's rctx (class A); absent: taken from xtime
  std::uint8_t priority = 0;         // 0..255, higher wins a collision on the station
};

// A dnmsg for `transmission`:
//   - CounterTime whose counter_us minus the 48-bit part of its context is a whole number of
//     seconds 1..15 (a class A answer to the reception the context came from): "dC":0,
//     "xtime" = context (the uplink's xtime), "RxDelay" = those seconds, "RX1DR"/"RX1Freq" =
//     the transmission's DR/frequency (the network server already chose RX1 or RX2 and books
//     exactly one window, so exactly one is sent), "rctx" when given;
//   - any other CounterTime: "dC":0 with "DR"/"Freq" (RxDelay implicitly 0) and "xtime" = the
//     context's high 16 bits | counter_us (the moment itself);
//   - Immediately (class C): "dC":2, "RX2DR"/"RX2Freq" and "RxDelay":0 (2.0.6 warns without);
//   - GpsTime (class B): refused, class B is not supported over Basics Station.
// Always "pdu" (hex), "DevEui" (dashed), "diid", "priority", "MuxTime" (`now` as UTC seconds).
// A data rate the region does not have, an empty or too large payload is an error.
lorawan::Result<std::string> build_dnmsg(const Transmission& transmission, const lorawan::Region& region,
                                         const DownlinkAddressing& addressing, UtcTime now);

// `{"msgtype":"timesync","txtime":<echo>,"gpstime":<µs since the GPS epoch at now>}`.
std::string build_timesync_answer(const TimesyncRequest& request, UtcTime now);

}  // namespace uchet::gateway_bridge::basic_station
