#include "netserver/lorawan/data_rate.h"

#include <charconv>
#include <optional>

namespace uchet::lorawan {
namespace {

std::optional<std::uint32_t> parse_decimal(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string to_datr(const DataRate& rate) {
  if (rate.modulation == Modulation::Fsk) return std::to_string(rate.bitrate_bps);
  return "SF" + std::to_string(rate.spreading_factor) + "BW" + std::to_string(rate.bandwidth_khz);
}

Result<DataRate> parse_datr(std::string_view datr) {
  const auto bad = [&] { return std::unexpected("not a data rate: \"" + std::string(datr) + "\""); };
  if (!datr.starts_with("SF")) {
    auto bps = parse_decimal(datr);
    if (!bps || *bps == 0) return bad();
    return DataRate::fsk(*bps);
  }
  const auto bw_at = datr.find("BW");
  if (bw_at == std::string_view::npos) return bad();
  auto sf = parse_decimal(datr.substr(2, bw_at - 2));
  auto bw = parse_decimal(datr.substr(bw_at + 2));
  if (!sf || !bw || *sf < 5 || *sf > 12 || (*bw != 125 && *bw != 250 && *bw != 500)) return bad();
  return DataRate::lora(static_cast<std::uint8_t>(*sf), *bw);
}

Result<double> required_snr_db(std::uint8_t spreading_factor) {
  if (spreading_factor < 7 || spreading_factor > 12) {
    return std::unexpected("no demodulation floor known for SF" + std::to_string(spreading_factor));
  }
  return -7.5 - 2.5 * (spreading_factor - 7);
}

}  // namespace uchet::lorawan
