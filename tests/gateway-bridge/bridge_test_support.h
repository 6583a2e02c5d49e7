#pragma once
// Datagram fixtures shared by the bridge tests: known bytes of real-looking forwarder output.
#include <cstdint>
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::test {

namespace lorawan = uchet::lorawan;
using lorawan::Bytes;

inline constexpr lorawan::Eui64 kGatewayEui = 0xAA555A0000000001;
// PHYPayload of an unconfirmed data uplink, 21 bytes, and its Base64.
inline const Bytes kPayload = {0x40, 0xe1, 0xa2, 0xb3, 0xc4, 0x80, 0x01, 0x00, 0x01, 0x6c, 0x1f,
                               0x3a, 0x5b, 0x7d, 0x9e, 0x0f, 0x11, 0x22, 0x33, 0x44, 0x55};
inline constexpr std::string_view kPayloadBase64 = "QOGis8SAAQABbB86W32eDxEiM0RV";

// A LoRa rxpk as lora_pkt_fwd v4 (SX1302) prints it, with GPS time.
inline const std::string kLoraRxpk =
    R"({"jver":1,"tmst":3512348611,"time":"2026-03-31T16:21:17.528002Z","tmms":1459009295528,)"
    R"("chan":2,"rfch":0,"freq":868.100000,"mid":8,"stat":1,"modu":"LORA","datr":"SF7BW125",)"
    R"("codr":"4/5","rssis":-36,"lsnr":9.5,"foff":-217,"rssi":-35,"size":21,"data":"QOGis8SAAQABbB86W32eDxEiM0RV"})";

inline const std::string kStat =
    R"({"time":"2026-01-12 08:59:28 GMT","lati":56.83800,"long":60.60300,"alti":270,"rxnb":2,)"
    R"("rxok":2,"rxfw":2,"ackr":100.0,"dwnb":1,"txnb":1,"temp":38.5})";

// Version, token, identifier, EUI (big-endian), then `json` verbatim.
inline Bytes gateway_datagram(std::uint8_t identifier, std::uint16_t token, std::string_view json = {},
                              lorawan::Eui64 eui = kGatewayEui, std::uint8_t version = 2) {
  Bytes out{version, static_cast<std::uint8_t>(token >> 8), static_cast<std::uint8_t>(token), identifier};
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(eui >> shift));
  out.insert(out.end(), json.begin(), json.end());
  return out;
}

inline Bytes push_data(std::uint16_t token, std::string_view json, lorawan::Eui64 eui = kGatewayEui) {
  return gateway_datagram(0x00, token, json, eui);
}

inline std::string rxpk_array(int count, const std::string& rxpk = kLoraRxpk) {
  std::string json = R"({"rxpk":[)";
  for (int i = 0; i < count; ++i) json += (i ? "," : "") + rxpk;
  return json + "]}";
}

// kLoraRxpk with `member`'s value text replaced (`value` empty removes the member).
inline std::string rxpk_with(std::string_view member, std::string_view value, std::string rxpk = kLoraRxpk) {
  const std::string key = "\"" + std::string(member) + "\":";
  auto start = rxpk.find(key);
  if (start == std::string::npos) return rxpk;
  auto end = start + key.size();
  if (rxpk[end] == '"') {
    end = rxpk.find('"', end + 1) + 1;
  } else {
    while (end < rxpk.size() && rxpk[end] != ',' && rxpk[end] != '}') ++end;
  }
  if (value.empty()) {
    if (rxpk[end] == ',')
      ++end;
    else if (rxpk[start - 1] == ',')
      --start;
    rxpk.erase(start, end - start);
  } else {
    rxpk.replace(start + key.size(), end - start - key.size(), value);
  }
  return rxpk;
}

}  // namespace uchet::gateway_bridge::test
