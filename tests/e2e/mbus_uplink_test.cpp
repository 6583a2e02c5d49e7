// A generic M-Bus meter through the radio path: one record holding a NaN must cost the frame
// neither its storage, its up event nor its other readings (it once lost every uplink).
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/test_sql.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000b01;

}  // namespace

// Changed for issue 20: runs over a Semtech UDP gateway and over a LoRa Basics Station gateway.
TEMPLATE_TEST_CASE("an M-Bus telegram with a NaN record is stored and published with its valid readings", "", OverUdp,
                   OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui), [](NetworkUnderTest& net, const sim::DeviceIdentity& id) {
    net.add_device(id, {"--codec", "mbus"});
  });
  auto& [device, net, gateway] = setup;

  // Volume 1000 l, then a volume-flow maximum that is NaN (DIF 0x15, VIF 0x4D, FE FF FF FF).
  const lorawan::Bytes telegram{0x78, 0x04, 0x13, 0xE8, 0x03, 0x00, 0x00, 0x15, 0x4D, 0xFE, 0xFF, 0xFF, 0xFF};
  for (int i = 0; i < 2; ++i) {  // every uplink of such a meter, not only the first
    auto frame = device.uplink({.fport = 2, .payload = telegram});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
  }
  auto ups = net.wait_events("up", kDevEui, 2);
  REQUIRE(ups.size() == 2);
  for (const auto& up : ups) {
    const auto& object = up["object"];
    REQUIRE(object["readings"].size() == 1);
    CHECK(object["readings"][0]["quantity"] == "volume");
    CHECK(object["readings"][0]["value"] == 1.0);
    REQUIRE(object["extra"]["records"].size() == 1);
    CHECK(object["extra"]["records"][0]["note"] == "not a finite number (NaN or infinity)");
  }
  CHECK(net.events("log", kDevEui).empty());  // not a codec error: the telegram is fine but for one value
  const auto eui = lorawan::eui64_to_string(kDevEui);
  CHECK(sql_int64s(net.database(), "SELECT COUNT(*) FROM uplink_frame WHERE dev_eui = '" + eui + "'") ==
        std::vector<std::int64_t>{2});
  // Both land on the same reporting boundary (no meter clock), so one reading row holds them.
  CHECK(sql_reals(net.database(), "SELECT value FROM reading WHERE dev_eui = '" + eui + "'") ==
        std::vector<double>{1.0});
}
