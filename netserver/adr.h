#pragma once
// Adaptive data rate, network side (the algorithm ChirpStack and Semtech's reference use):
// the head-room of the best recent uplink above the demodulation floor, less an installation
// margin, is spent in 3 dB steps — first raising the data rate (shorter airtime, less battery),
// then lowering TX power; negative head-room raises power back, never the data rate down.
// NbTrans follows the observed frame loss. Pure: the caller supplies history and limits.
#include <cstdint>
#include <vector>

namespace uchet::netserver {

struct AdrInput {
  std::vector<double> recent_snr_db;  // best SNR of each of the last uplinks (up to 20)
  double required_snr_db = -7.5;      // demodulation floor at the current data rate
  double installation_margin_db = 10;
  int data_rate = 0;
  int max_data_rate = 5;   // region's ADR ceiling
  int tx_power_index = 0;  // 0 = max EIRP; each step is 2 dB less
  int max_tx_power_index = 7;
  int nb_trans = 1;       // 1..3
  double loss_ratio = 0;  // lost / expected uplinks over the history
};

struct AdrDecision {
  int data_rate = 0;
  int tx_power_index = 0;
  int nb_trans = 1;
  bool changes(const AdrInput& in) const {
    return data_rate != in.data_rate || tx_power_index != in.tx_power_index || nb_trans != in.nb_trans;
  }
};

// How many uplinks the history needs before ADR acts.
inline constexpr std::size_t kAdrHistorySize = 20;

AdrDecision decide_adr(const AdrInput& in);

}  // namespace uchet::netserver
