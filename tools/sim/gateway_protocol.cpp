#include "tools/sim/gateway_protocol.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "common/json_fields.h"
#include "gateway-bridge/radio.h"
#include "gateway-bridge/semtech_udp/radio_text.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::sim {
namespace {

using namespace common::json_fields;
using gateway_bridge::semtech_udp::PacketType;

// "2026-11-23T11:26:14.123456Z", as lora_pkt_fwd prints it.
std::string rx_time_text(gateway_bridge::UtcTime time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, (time - seconds).count());
}

Result<gateway_bridge::TxTiming> parse_timing(const json& txpk) {
  std::optional<bool> imme;
  std::optional<std::uint64_t> tmst, tmms;
  UCHET_TRY(imme, read_bool(txpk, "imme"));
  UCHET_TRY(tmst, read_unsigned(txpk, "tmst", UINT32_MAX));
  UCHET_TRY(tmms, read_unsigned(txpk, "tmms", INT64_MAX));
  const int given = (imme.value_or(false) ? 1 : 0) + (tmst ? 1 : 0) + (tmms ? 1 : 0);
  if (given != 1) return std::unexpected("txpk needs exactly one of imme, tmst, tmms");
  if (tmst) return gateway_bridge::CounterTime{static_cast<std::uint32_t>(*tmst)};
  if (tmms) return gateway_bridge::GpsTime{static_cast<std::int64_t>(*tmms)};
  return gateway_bridge::Immediately{};
}

}  // namespace

lorawan::Bytes build_gateway_header(PacketType type, std::uint16_t token, lorawan::Eui64 gateway_eui) {
  lorawan::Bytes out{gateway_bridge::semtech_udp::kProtocolVersion, static_cast<std::uint8_t>(token >> 8),
                     static_cast<std::uint8_t>(token), static_cast<std::uint8_t>(type)};
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(gateway_eui >> shift));
  return out;
}

lorawan::Bytes build_pull_data(std::uint16_t token, lorawan::Eui64 gateway_eui) {
  return build_gateway_header(PacketType::PullData, token, gateway_eui);
}

nlohmann::json rxpk_json(const gateway_bridge::semtech_udp::RxPacket& p) {
  nlohmann::json j;
  if (p.time) j["time"] = rx_time_text(*p.time);
  if (p.tmms) j["tmms"] = p.tmms->count();
  j["tmst"] = p.tmst;
  j["chan"] = p.chan;
  j["rfch"] = p.rfch;
  j["freq"] = p.freq_hz / 1e6;
  j["stat"] = static_cast<int>(p.stat);
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&p.datr)) {
    j["modu"] = "LORA";
    j["datr"] = gateway_bridge::semtech_udp::lora_rate_text(*lora);
    j["codr"] = gateway_bridge::semtech_udp::coding_rate_text(p.codr.value_or(gateway_bridge::CodingRate::k4_5));
    j["lsnr"] = p.lsnr_db.value_or(0.0);
  } else {
    j["modu"] = "FSK";
    j["datr"] = std::get<gateway_bridge::FskRate>(p.datr).bitrate_bps;
  }
  j["rssi"] = p.rssi_dbm;
  j["size"] = p.data.size();
  j["data"] = lorawan::to_base64(p.data);
  return j;
}

lorawan::Bytes build_push_data(std::uint16_t token, lorawan::Eui64 gateway_eui,
                               std::span<const gateway_bridge::semtech_udp::RxPacket> packets) {
  nlohmann::json rxpk = nlohmann::json::array();
  for (const auto& p : packets) rxpk.push_back(rxpk_json(p));
  const std::string body = nlohmann::json{{"rxpk", std::move(rxpk)}}.dump();
  lorawan::Bytes out = build_gateway_header(PacketType::PushData, token, gateway_eui);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

lorawan::Bytes build_tx_ack(std::uint16_t token, lorawan::Eui64 gateway_eui, std::optional<std::string_view> error) {
  lorawan::Bytes out = build_gateway_header(PacketType::TxAck, token, gateway_eui);
  if (error) {
    const std::string body = nlohmann::json{{"txpk_ack", {{"error", std::string(*error)}}}}.dump();
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

lorawan::Bytes build_tx_ack_warning(std::uint16_t token, lorawan::Eui64 gateway_eui, std::string_view warning,
                                    double value) {
  lorawan::Bytes out = build_gateway_header(PacketType::TxAck, token, gateway_eui);
  const std::string body = nlohmann::json{{"txpk_ack", {{"warn", std::string(warning)}, {"value", value}}}}.dump();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

lorawan::Result<gateway_bridge::Transmission> parse_txpk_json(lorawan::ByteView json_text) {
  json root;
  UCHET_TRY(root, parse_object(json_text));
  const auto found = member(root, "txpk");
  if (!found || !found->is_object()) return std::unexpected("no txpk object");
  const json& txpk = *found;

  gateway_bridge::Transmission p;
  UCHET_TRY(p.timing, parse_timing(txpk));
  double mhz = 0;
  UCHET_TRY(mhz, required(read_number(txpk, "freq"), "freq"));
  UCHET_TRY(p.frequency_hz, gateway_bridge::semtech_udp::frequency_hz_from_mhz(mhz));
  std::optional<std::uint64_t> rfch;
  UCHET_TRY(rfch, read_unsigned(txpk, "rfch", UINT8_MAX));
  p.rf_chain = static_cast<std::uint8_t>(rfch.value_or(0));
  std::optional<std::int64_t> powe;
  UCHET_TRY(powe, read_integer(txpk, "powe", INT8_MIN, INT8_MAX));
  if (powe) p.power_dbm = static_cast<std::int8_t>(*powe);

  std::string_view modu;
  UCHET_TRY(modu, required(read_string(txpk, "modu"), "modu"));
  if (modu == "LORA") {
    std::string_view datr, codr;
    UCHET_TRY(datr, required(read_string(txpk, "datr"), "datr"));
    gateway_bridge::LoraRate rate;
    UCHET_TRY(rate, gateway_bridge::semtech_udp::parse_lora_rate(datr));
    p.data_rate = rate;
    UCHET_TRY(codr, required(read_string(txpk, "codr"), "codr"));
    UCHET_TRY(p.coding_rate, gateway_bridge::semtech_udp::parse_coding_rate(codr));
  } else if (modu == "FSK") {
    std::uint64_t bps = 0, fdev = 0;
    UCHET_TRY(bps, required(read_unsigned(txpk, "datr", UINT32_MAX), "datr"));
    UCHET_TRY(fdev, required(read_unsigned(txpk, "fdev", UINT32_MAX), "fdev"));
    p.data_rate = gateway_bridge::FskRate{static_cast<std::uint32_t>(bps)};
    p.coding_rate.reset();
    p.fsk_deviation_hz = static_cast<std::uint32_t>(fdev);
  } else {
    return std::unexpected(fmt::format("modu \"{}\" is not LORA or FSK", modu));
  }

  std::optional<bool> flag;
  UCHET_TRY(flag, read_bool(txpk, "ipol"));
  p.invert_polarity = flag.value_or(false);
  UCHET_TRY(flag, read_bool(txpk, "ncrc"));
  p.disable_crc = flag.value_or(false);
  std::optional<std::uint64_t> prea;
  UCHET_TRY(prea, read_unsigned(txpk, "prea", UINT16_MAX));
  if (prea) p.preamble_symbols = static_cast<std::uint16_t>(*prea);

  std::uint64_t size = 0;
  std::string_view data;
  UCHET_TRY(size, required(read_unsigned(txpk, "size", gateway_bridge::kMaxPhyPayloadSize), "size"));
  UCHET_TRY(data, required(read_string(txpk, "data"), "data"));
  UCHET_TRY(p.phy_payload, lorawan::parse_base64(data));
  if (p.phy_payload.size() != size) {
    return std::unexpected(fmt::format("size {} does not match the {} bytes of data", size, p.phy_payload.size()));
  }
  return p;
}

lorawan::Result<ServerDatagram> parse_server_datagram(lorawan::ByteView datagram) {
  if (datagram.size() < gateway_bridge::semtech_udp::kAckSize) return std::unexpected("datagram shorter than 4 bytes");
  if (datagram[0] != gateway_bridge::semtech_udp::kProtocolVersion)
    return std::unexpected(fmt::format("protocol version {}", datagram[0]));
  ServerDatagram out;
  out.token = static_cast<std::uint16_t>(datagram[1] << 8 | datagram[2]);
  switch (static_cast<PacketType>(datagram[3])) {
    case PacketType::PushAck:
    case PacketType::PullAck:
      out.type = static_cast<PacketType>(datagram[3]);
      return out;
    case PacketType::PullResp: {
      out.type = PacketType::PullResp;
      auto txpk = parse_txpk_json(datagram.subspan(gateway_bridge::semtech_udp::kAckSize));
      if (!txpk) return std::unexpected("PULL_RESP: " + txpk.error());
      out.txpk = std::move(*txpk);
      return out;
    }
    default:
      return std::unexpected(fmt::format("identifier 0x{:02x} is not sent by servers", datagram[3]));
  }
}

}  // namespace uchet::sim
