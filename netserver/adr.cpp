#include "netserver/adr.h"

#include <algorithm>
#include <cmath>

namespace uchet::netserver {

AdrDecision decide_adr(const AdrInput& in) {
  AdrDecision out{in.data_rate, in.tx_power_index, std::clamp(in.nb_trans, 1, 3)};
  if (!in.recent_snr_db.empty()) {
    const double max_snr = *std::max_element(in.recent_snr_db.begin(), in.recent_snr_db.end());
    const double margin = max_snr - in.required_snr_db - in.installation_margin_db;
    int steps = static_cast<int>(std::floor(margin / 3.0));
    while (steps > 0 && out.data_rate < in.max_data_rate) {
      ++out.data_rate;
      --steps;
    }
    while (steps > 0 && out.tx_power_index < in.max_tx_power_index) {
      ++out.tx_power_index;
      --steps;
    }
    while (steps < 0 && out.tx_power_index > 0) {
      --out.tx_power_index;
      ++steps;
    }
  }
  // Loss buckets < 5 %, < 10 %, < 30 %, >= 30 % against the current NbTrans.
  static constexpr int kNbTrans[4][3] = {{1, 1, 2}, {1, 2, 3}, {2, 3, 3}, {3, 3, 3}};
  const int bucket = in.loss_ratio < 0.05 ? 0 : in.loss_ratio < 0.10 ? 1 : in.loss_ratio < 0.30 ? 2 : 3;
  out.nb_trans = kNbTrans[bucket][out.nb_trans - 1];
  return out;
}

}  // namespace uchet::netserver
