#include "tools/uchetd/station_credentials.h"

#include "schema/basic_station_gateways.h"
#include "schema/devices.h"

namespace uchet {

namespace basic_station = gateway_bridge::basic_station;

bool StationCredentialCache::refresh(schema::Database& db) {
  const auto version = schema::registry_version(db);
  if (!version || *version == version_) return false;
  auto map = std::make_shared<Map>();
  for (const auto& g : schema::list_basic_station_gateways(db)) {
    basic_station::StationCredential credential;
    switch (g.credential) {
      case schema::StationCredentialKind::Token:
        credential.kind = basic_station::CredentialKind::Token;
        break;
      case schema::StationCredentialKind::ClientCertificate:
        credential.kind = basic_station::CredentialKind::ClientCertificate;
        break;
      case schema::StationCredentialKind::None:
        credential.kind = basic_station::CredentialKind::None;
        break;
    }
    if (g.credential_sha256) credential.sha256 = *g.credential_sha256;
    map->emplace(g.eui, credential);
  }
  credentials_.store(std::move(map));
  version_ = *version;
  return true;
}

std::optional<basic_station::StationCredential> StationCredentialCache::find(lorawan::Eui64 gateway_eui) const {
  const auto map = credentials_.load();
  auto it = map->find(gateway_eui);
  if (it == map->end()) return std::nullopt;
  return it->second;
}

}  // namespace uchet
