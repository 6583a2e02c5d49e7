#pragma once
// A downlink the network server asks a gateway to transmit, and the PULL_RESP that carries it
// ({"txpk":{...}} from byte 4). freq is written with exactly 6 decimals ("868.100000") from
// integer Hz; the gateway multiplies it back by 1e6. Building validates what the gateway would
// otherwise refuse.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "gateway-bridge/gateway_time.h"
#include "gateway-bridge/radio.h"
#include "netserver/lorawan/types.h"

namespace uchet::bridge {

struct SendImmediately {};           // "imme":true, class C
struct SendAtCounter {               // "tmst", class A: uplink tmst + RX delay (mod 2^32)
  std::uint32_t counter_us = 0;
};
struct SendAtGpsTime {               // "tmms", class B; TX_ACK GPS_UNLOCKED without GPS
  GpsTime gps_time{0};
};
using TxTiming = std::variant<SendImmediately, SendAtCounter, SendAtGpsTime>;

struct TxPacket {
  TxTiming timing;
  std::uint32_t frequency_hz = 0;
  std::uint8_t rf_chain = 0;                    // rfch, normally 0
  std::optional<std::int8_t> power_dbm;         // powe; must match the gateway's TX gain table
  DataRate data_rate;                           // LoRa -> modu "LORA", FSK -> "FSK"
  std::optional<CodingRate> coding_rate = CodingRate::k4_5;  // LoRa: required
  std::optional<std::uint32_t> fsk_deviation_hz;             // FSK: required (fdev)
  bool invert_polarity = true;                  // ipol: LoRaWAN downlinks use inverted IQ
  std::optional<std::uint16_t> preamble_symbols;  // prea; gateway default 8 (LoRa) / 5 (FSK)
  bool disable_crc = true;                      // ncrc: LoRaWAN downlinks carry no payload CRC
  lorawan::Bytes phy_payload;                   // 1..255 bytes; size is derived from it
};

// {"txpk":{...}} with fields in the order imme|tmst|tmms, freq, rfch, powe, modu, datr, codr,
// fdev, ipol, prea, size, data, ncrc.
lorawan::Result<std::string> build_txpk_json(const TxPacket& packet);
// Version 2, `token` (echoed in TX_ACK), identifier 0x03, then the txpk JSON.
lorawan::Result<lorawan::Bytes> build_pull_resp(std::uint16_t token, const TxPacket& packet);

}  // namespace uchet::bridge
