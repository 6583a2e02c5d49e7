#include "schema/basic_station_gateways.h"

#include <algorithm>

#include "netserver/lorawan/encoding.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

constexpr const char* kSelect =
    "SELECT gateway_eui, credential, credential_sha256, connected, connected_since, last_seen_at, state_updated_at "
    "FROM gateway_basic_station ";

StationCredentialKind credential_from(std::string_view text) {
  if (text == "token") return StationCredentialKind::Token;
  if (text == "client_certificate") return StationCredentialKind::ClientCertificate;
  return StationCredentialKind::None;  // the CHECK constraint allows nothing else
}

BasicStationGateway read_row(const Statement& q) {
  BasicStationGateway g;
  g.eui = lorawan::parse_eui64(q.text(0)).value_or(0);
  g.credential = credential_from(q.text(1));
  if (auto digest = q.blob(2); digest.size() == 32) {
    g.credential_sha256.emplace();
    std::ranges::copy(digest, g.credential_sha256->begin());
  }
  g.connected = q.int64(3) != 0;
  g.connected_since = q.optional_int64(4);
  g.last_seen_at = q.optional_int64(5);
  g.state_updated_at = q.optional_int64(6);
  return g;
}

}  // namespace

std::string_view station_credential_name(StationCredentialKind kind) {
  switch (kind) {
    case StationCredentialKind::Token:
      return "token";
    case StationCredentialKind::ClientCertificate:
      return "client_certificate";
    case StationCredentialKind::None:
      break;
  }
  return "none";
}

std::optional<BasicStationGateway> find_basic_station_gateway(Database& db, lorawan::Eui64 eui) {
  Statement q(db, std::string(kSelect) + "WHERE gateway_eui = ?");
  q.bind(1, lorawan::eui64_to_string(eui));
  if (!q.step()) return std::nullopt;
  return read_row(q);
}

std::vector<BasicStationGateway> list_basic_station_gateways(Database& db) {
  Statement q(db, std::string(kSelect) + "ORDER BY gateway_eui");
  std::vector<BasicStationGateway> out;
  while (q.step()) out.push_back(read_row(q));
  return out;
}

void insert_basic_station_gateway(Database& db, lorawan::Eui64 eui, StationCredentialKind credential,
                                  const std::optional<std::array<std::uint8_t, 32>>& credential_sha256) {
  Statement insert(db, "INSERT INTO gateway_basic_station (gateway_eui, credential, credential_sha256) VALUES (?, ?, ?)");
  insert.bind(1, lorawan::eui64_to_string(eui)).bind(2, station_credential_name(credential));
  if (credential_sha256) {
    insert.bind_blob(3, std::span<const std::uint8_t>(*credential_sha256));
  } else {
    insert.bind_null(3);
  }
  insert.run();
}

void save_station_connections(Database& db, std::int64_t now, const std::vector<StationConnectionState>& states) {
  Statement(db, "UPDATE gateway_basic_station SET connected = 0, state_updated_at = ? WHERE connected = 1")
      .bind(1, now)
      .run();
  Statement update(db,
                   "UPDATE gateway_basic_station SET connected = ?, connected_since = ?, last_seen_at = ?, "
                   "state_updated_at = ? WHERE gateway_eui = ?");
  for (const auto& s : states) {
    update.reset();
    update.bind(1, s.connected ? 1 : 0)
        .bind(2, s.connected_since)
        .bind(3, s.last_seen_at)
        .bind(4, now)
        .bind(5, lorawan::eui64_to_string(s.eui))
        .run();
  }
}

}  // namespace uchet::schema
