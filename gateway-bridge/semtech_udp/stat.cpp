#include "gateway-bridge/semtech_udp/stat.h"

#include <fmt/format.h>

#include "common/json_fields.h"
#include "gateway-bridge/semtech_udp/gateway_time.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace {

using namespace common::json_fields;

Result<std::uint32_t> counter(const json& stat, const char* key) {
  auto value = read_unsigned(stat, key, UINT32_MAX);
  if (!value) return std::unexpected(value.error());
  return static_cast<std::uint32_t>(value->value_or(0));
}

}  // namespace

Result<GatewayStats> parse_gateway_stats(const json& stat) {
  if (!stat.is_object()) return std::unexpected("stat is not an object");
  GatewayStats s;
  std::optional<std::string_view> time;
  UCHET_TRY(time, read_string(stat, "time"));
  if (time) {
    if (auto parsed = parse_stat_time(*time)) s.time = *parsed;
  }

  std::optional<double> lat, lon, alt;
  UCHET_TRY(lat, read_number(stat, "lati"));
  UCHET_TRY(lon, read_number(stat, "long"));
  UCHET_TRY(alt, read_number(stat, "alti"));
  if (lat && lon) {
    if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) {
      return std::unexpected(fmt::format("position {}, {} is not a latitude and longitude", *lat, *lon));
    }
    s.position = GatewayPosition{*lat, *lon, alt};
  }

  UCHET_TRY(s.rx_received, counter(stat, "rxnb"));
  UCHET_TRY(s.rx_crc_ok, counter(stat, "rxok"));
  UCHET_TRY(s.rx_forwarded, counter(stat, "rxfw"));
  std::optional<double> ackr;
  UCHET_TRY(ackr, read_number(stat, "ackr"));
  if (ackr && (*ackr < 0 || *ackr > 100)) return std::unexpected(fmt::format("ackr {} is not a percentage", *ackr));
  s.push_acked_percent = ackr.value_or(0);
  UCHET_TRY(s.downlinks_received, counter(stat, "dwnb"));
  UCHET_TRY(s.downlinks_transmitted, counter(stat, "txnb"));
  std::optional<double> temp;  // Kerlink and SX1302-era forwarders: the board's temperature
  UCHET_TRY(temp, read_number(stat, "temp"));
  if (temp && (*temp < -100 || *temp > 200))
    return std::unexpected(fmt::format("temp {} is not a temperature in °C", *temp));
  s.temperature_c = temp;
  return s;
}

}  // namespace uchet::gateway_bridge::semtech_udp
