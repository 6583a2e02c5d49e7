#include "netserver/lorawan/join_request.h"

#include <string>

#include "netserver/lorawan/le.h"

namespace uchet::lorawan {

Result<JoinRequest> parse_join_request(ByteView phy) {
  auto mhdr = parse_mhdr(phy);
  if (!mhdr) return std::unexpected(mhdr.error());
  if (mhdr->mtype != MType::JoinRequest) {
    return std::unexpected("expected a join-request, got " + std::string(to_string(mhdr->mtype)));
  }
  if (phy.size() != kJoinRequestSize) {
    return std::unexpected("join-request must be 23 bytes, got " + std::to_string(phy.size()));
  }
  return JoinRequest{le::get(phy, 1, 8), le::get(phy, 9, 8), static_cast<std::uint16_t>(le::get(phy, 17, 2)),
                     mic_of(phy)};
}

Bytes build_join_request(const JoinRequest& request) {
  Bytes out{encode_mhdr({MType::JoinRequest})};
  le::put(out, request.join_eui, 8);
  le::put(out, request.dev_eui, 8);
  le::put(out, request.dev_nonce, 2);
  out.insert(out.end(), request.mic.begin(), request.mic.end());
  return out;
}

}  // namespace uchet::lorawan
