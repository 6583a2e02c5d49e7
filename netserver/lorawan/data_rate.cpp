#include "netserver/lorawan/data_rate.h"

namespace uchet::lorawan {

std::string to_datr(const DataRate& rate) {
  if (rate.modulation == Modulation::Fsk) return std::to_string(rate.bitrate_bps);
  return "SF" + std::to_string(rate.spreading_factor) + "BW" + std::to_string(rate.bandwidth_khz);
}

Result<double> required_snr_db(std::uint8_t spreading_factor) {
  if (spreading_factor < 7 || spreading_factor > 12) {
    return std::unexpected("no demodulation floor known for SF" + std::to_string(spreading_factor));
  }
  return -7.5 - 2.5 * (spreading_factor - 7);
}

}  // namespace uchet::lorawan
