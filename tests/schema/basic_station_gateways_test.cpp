// Basics Station registrations (migration 0016): digests only, a credential change bumps the
// registry version (uchetd reloads on it), connection state does not, and removing the gateway
// removes its registration.
#include <catch2/catch.hpp>

#include "schema/basic_station_gateways.h"
#include "schema/devices.h"
#include "schema/gateways.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

TEST_CASE("a Basics Station registration is stored as a digest and its state saved without a registry change") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  Gateway g;
  g.eui = 0xB827EBFFFEE1E39A;
  g.name = "roof";
  insert_gateway(db, g);
  g.eui = 0xAA555A0000000001;
  insert_gateway(db, g);
  const auto before = registry_version(db).value();
  std::array<std::uint8_t, 32> digest{};
  digest.fill(0xAB);
  insert_basic_station_gateway(db, 0xB827EBFFFEE1E39A, StationCredentialKind::Token, digest);
  insert_basic_station_gateway(db, 0xAA555A0000000001, StationCredentialKind::None, std::nullopt);
  const auto registered = registry_version(db).value();
  CHECK(registered > before);

  auto station = find_basic_station_gateway(db, 0xB827EBFFFEE1E39A);
  REQUIRE(station);
  CHECK(station->credential == StationCredentialKind::Token);
  CHECK(station->credential_sha256 == digest);
  CHECK_FALSE(station->connected);
  CHECK_FALSE(station->state_updated_at);
  CHECK(list_basic_station_gateways(db).size() == 2);
  // A digest of the wrong length, or one for 'none', is refused by the schema.
  CHECK_THROWS(Statement(db, "UPDATE gateway_basic_station SET credential_sha256 = ? WHERE credential = 'token'")
                   .bind_blob(1, std::vector<std::uint8_t>{0x00})
                   .run());

  {
    Transaction tx(db);
    save_station_connections(db, 1'000, {{0xB827EBFFFEE1E39A, true, 900, 990}});
    tx.commit();
  }
  station = find_basic_station_gateway(db, 0xB827EBFFFEE1E39A);
  CHECK(station->connected);
  CHECK(station->connected_since == 900);
  CHECK(station->last_seen_at == 990);
  CHECK(station->state_updated_at == 1'000);
  CHECK(registry_version(db).value() == registered);  // state is no registry change
  {
    Transaction tx(db);
    save_station_connections(db, 1'100, {});  // uchetd stopped: nothing connected
    tx.commit();
  }
  station = find_basic_station_gateway(db, 0xB827EBFFFEE1E39A);
  CHECK_FALSE(station->connected);
  CHECK(station->last_seen_at == 990);  // kept

  delete_gateway(db, 0xB827EBFFFEE1E39A);
  CHECK_FALSE(find_basic_station_gateway(db, 0xB827EBFFFEE1E39A));
}
