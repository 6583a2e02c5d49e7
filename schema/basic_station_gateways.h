#pragma once
// Gateways registered for LoRa Basics Station (migration 0016): how each proves who it is (a
// SHA-256 digest of its token or client certificate, never the secret) and the connection state
// uchetd last wrote. uchetctl registers them; uchetd reads the credentials (again whenever the
// registry version changes) and writes the connection state. Functions take the connection
// owned by the caller, on its thread, and throw StorageError on failure.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

enum class StationCredentialKind : std::uint8_t { None, Token, ClientCertificate };
std::string_view station_credential_name(StationCredentialKind kind);  // "none", "token", "client_certificate"

struct BasicStationGateway {
  lorawan::Eui64 eui = 0;
  StationCredentialKind credential = StationCredentialKind::None;
  std::optional<std::array<std::uint8_t, 32>> credential_sha256;  // absent for None
  bool connected = false;
  std::optional<std::int64_t> connected_since, last_seen_at, state_updated_at;  // unix seconds
};

std::optional<BasicStationGateway> find_basic_station_gateway(Database& db, lorawan::Eui64 eui);
std::vector<BasicStationGateway> list_basic_station_gateways(Database& db);
// The gateway must be registered (schema/gateways.h) and not yet for Basics Station.
void insert_basic_station_gateway(Database& db, lorawan::Eui64 eui, StationCredentialKind credential,
                                  const std::optional<std::array<std::uint8_t, 32>>& credential_sha256);

// What uchetd's Basics Station server knows of one gateway's connection.
struct StationConnectionState {
  lorawan::Eui64 eui = 0;
  bool connected = false;
  std::optional<std::int64_t> connected_since, last_seen_at;  // unix seconds
};
// Writes the state of the listed gateways; every other one is marked disconnected (its times
// kept). Unregistered EUIs are ignored. Call inside a transaction.
void save_station_connections(Database& db, std::int64_t now, const std::vector<StationConnectionState>& states);

}  // namespace uchet::schema
