#include "netserver/lorawan/cf_list.h"

#include <string>

#include "netserver/lorawan/le.h"

namespace uchet::lorawan {

Result<CfList> build_cf_list(std::span<const std::uint32_t> frequencies_hz) {
  if (frequencies_hz.size() > kCfListFrequencies) {
    return std::unexpected("a CFList holds at most 5 frequencies, got " + std::to_string(frequencies_hz.size()));
  }
  Bytes bytes;
  for (auto hz : frequencies_hz) {
    if (hz % 100 != 0 || hz / 100 > 0xFFFFFF) {
      return std::unexpected("frequency " + std::to_string(hz) + " Hz cannot be expressed in a CFList");
    }
    le::put(bytes, hz / 100, 3);
  }
  CfList cf_list{};  // unused slots and CFListType stay 0
  std::copy(bytes.begin(), bytes.end(), cf_list.begin());
  return cf_list;
}

Result<std::array<std::uint32_t, kCfListFrequencies>> parse_cf_list(const CfList& cf_list) {
  if (cf_list[15] != 0) return std::unexpected("unsupported CFListType " + std::to_string(cf_list[15]));
  std::array<std::uint32_t, kCfListFrequencies> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint32_t>(le::get(cf_list, 3 * i, 3)) * 100;
  return out;
}

}  // namespace uchet::lorawan
