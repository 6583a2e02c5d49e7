// schema::device_place: where a device is installed now, for the tags of its events.
#include <catch2/catch.hpp>

#include "schema/applications.h"
#include "schema/database.h"
#include "schema/devices.h"
#include "schema/objects.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

TEST_CASE("a device's place is its open installation: object, premise and point; none once removed") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  insert_application(db, "water", "");
  Device meter;
  meter.dev_eui = 0x70b3d57ed0000a01;
  meter.application_id = 1;
  meter.join_eui = 0x70b3d57ed0000000;
  meter.app_key = uchet::lorawan::Key{};
  insert_device(db, meter, std::nullopt);
  CHECK_FALSE(device_place(db, meter.dev_eui));  // not installed

  MeteringObject house{.name = "Ленина 1"};
  add_object(db, house);
  Premise flat{.object_id = house.id, .number = "12", .kind = "residential"};
  add_premise(db, flat);
  MeteringPoint in_flat{
      .object_id = house.id, .name = "ХВС кв. 12", .resource = "cold_water", .level = "premise", .premise_id = flat.id};
  add_point(db, in_flat);
  MeteringPoint house_inlet{.object_id = house.id, .name = "ввод ХВС", .resource = "cold_water", .level = "building"};
  add_point(db, house_inlet);

  MeterInstallation at_flat{.point_id = in_flat.id, .dev_eui = meter.dev_eui, .installed_at = 100};
  add_installation(db, at_flat);
  auto place = device_place(db, meter.dev_eui);
  REQUIRE(place);
  CHECK(place->object == "Ленина 1");
  CHECK(place->premise == "12");
  CHECK(place->point == "ХВС кв. 12");

  REQUIRE(close_installation(db, meter.dev_eui, 200, 5.0));
  CHECK_FALSE(device_place(db, meter.dev_eui));  // removed: nowhere

  MeterInstallation at_inlet{.point_id = house_inlet.id, .dev_eui = meter.dev_eui, .installed_at = 300};
  add_installation(db, at_inlet);
  place = device_place(db, meter.dev_eui);
  REQUIRE(place);
  CHECK(place->premise.empty());  // a building-level point has no premise
  CHECK(place->point == "ввод ХВС");
}
