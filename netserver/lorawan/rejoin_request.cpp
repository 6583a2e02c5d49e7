#include "netserver/lorawan/rejoin_request.h"

#include <string>

#include "netserver/lorawan/le.h"

namespace uchet::lorawan {
namespace {

constexpr std::size_t kType02Size = 19;
constexpr std::size_t kType1Size = 24;

}  // namespace

Result<RejoinRequest> parse_rejoin_request(ByteView phy) {
  auto mhdr = parse_mhdr(phy);
  if (!mhdr) return std::unexpected(mhdr.error());
  if (mhdr->mtype != MType::RejoinRequest) {
    return std::unexpected("expected a rejoin-request, got " + std::string(to_string(mhdr->mtype)));
  }
  if (phy.size() < 2) return std::unexpected("rejoin-request truncated before RejoinType");
  RejoinRequest request;
  request.rejoin_type = phy[1];
  const bool type1 = request.rejoin_type == 1;
  if (request.rejoin_type > 2) {
    return std::unexpected("unknown RejoinType " + std::to_string(request.rejoin_type));
  }
  const std::size_t expected = type1 ? kType1Size : kType02Size;
  if (phy.size() != expected) {
    return std::unexpected("rejoin-request type " + std::to_string(request.rejoin_type) + " must be " +
                           std::to_string(expected) + " bytes, got " + std::to_string(phy.size()));
  }
  std::size_t pos = 2;
  if (type1) {
    request.join_eui = le::get(phy, pos, 8);
    pos += 8;
  } else {
    request.net_id = static_cast<NetId>(le::get(phy, pos, 3));
    pos += 3;
  }
  request.dev_eui = le::get(phy, pos, 8);
  request.rj_count = static_cast<std::uint16_t>(le::get(phy, pos + 8, 2));
  request.mic = mic_of(phy);
  return request;
}

Result<Bytes> build_rejoin_request(const RejoinRequest& request) {
  if (request.rejoin_type > 2) {
    return std::unexpected("unknown RejoinType " + std::to_string(request.rejoin_type));
  }
  Bytes out{encode_mhdr({MType::RejoinRequest}), request.rejoin_type};
  if (request.rejoin_type == 1) {
    le::put(out, request.join_eui, 8);
  } else {
    le::put(out, request.net_id, 3);
  }
  le::put(out, request.dev_eui, 8);
  le::put(out, request.rj_count, 2);
  out.insert(out.end(), request.mic.begin(), request.mic.end());
  return out;
}

}  // namespace uchet::lorawan
