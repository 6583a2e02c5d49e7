#include "schema/device_clocks.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {

std::optional<DeviceClock> find_device_clock(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db,
              "SELECT offset_s, observations, updated_at, reporting_period_s, correction_sent_at FROM device_clock "
              "WHERE dev_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  return DeviceClock{q.optional_real(0), static_cast<int>(q.int64(1)), q.int64(2), q.optional_int64(3),
                     q.optional_int64(4)};
}

void save_device_clock(Database& db, lorawan::Eui64 dev_eui, const DeviceClock& clock) {
  Statement(
      db,
      "INSERT INTO device_clock (dev_eui, offset_s, observations, updated_at, reporting_period_s, correction_sent_at) "
      "VALUES (?,?,?,?,?,?) ON CONFLICT(dev_eui) DO UPDATE SET offset_s = excluded.offset_s, "
      "observations = excluded.observations, updated_at = excluded.updated_at, "
      "reporting_period_s = excluded.reporting_period_s, correction_sent_at = excluded.correction_sent_at")
      .bind(1, lorawan::eui64_to_string(dev_eui))
      .bind(2, clock.offset_s)
      .bind(3, clock.observations)
      .bind(4, clock.updated_at)
      .bind(5, clock.reporting_period_s)
      .bind(6, clock.correction_sent_at)
      .run();
}

}  // namespace uchet::schema
