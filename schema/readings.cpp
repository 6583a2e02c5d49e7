#include "schema/readings.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

std::int64_t sole_channel(Database& db, const std::string& dev_eui, std::string_view quantity,
                          std::string_view resource) {
  Statement q(db,
              "SELECT DISTINCT channel FROM reading WHERE dev_eui = ? AND quantity = ? AND resource = ? AND channel > "
              "0 LIMIT 2");
  q.bind(1, dev_eui).bind(2, quantity).bind(3, resource);
  std::vector<std::int64_t> channels;
  while (q.step()) channels.push_back(q.int64(0));
  return channels.size() == 1 ? channels.front() : 0;
}

std::int64_t channel_of(Database& db, const std::string& dev_eui, const NewReading& r) {
  return r.channel ? *r.channel : sole_channel(db, dev_eui, r.quantity, r.resource);
}

}  // namespace

std::optional<std::pair<std::int64_t, double>> previous_register_value(Database& db, lorawan::Eui64 dev_eui,
                                                                       const NewReading& reading, std::int64_t channel,
                                                                       std::int64_t before) {
  Statement q(
      db,
      "SELECT measured_at, value FROM reading WHERE dev_eui = ? AND quantity = ? AND resource = ? AND channel = ? "
      "AND storage = ? AND tariff = ? AND measured_at < ? ORDER BY measured_at DESC LIMIT 1");
  q.bind(1, lorawan::eui64_to_string(dev_eui))
      .bind(2, reading.quantity)
      .bind(3, reading.resource)
      .bind(4, channel)
      .bind(5, reading.storage)
      .bind(6, reading.tariff)
      .bind(7, before);
  if (!q.step()) return std::nullopt;
  return std::pair{q.int64(0), q.real(1)};
}

std::int64_t resolved_channel(Database& db, lorawan::Eui64 dev_eui, const NewReading& reading) {
  return channel_of(db, lorawan::eui64_to_string(dev_eui), reading);
}

int insert_readings(Database& db, lorawan::Eui64 dev_eui, std::span<const NewReading> readings) {
  Statement insert(
      db,
      "INSERT INTO reading (dev_eui, quantity, resource, channel, storage, tariff, value, unit, measured_at, "
      "received_at, frame_id, flags, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (dev_eui, quantity, channel, storage, tariff, measured_at) DO NOTHING");
  const auto eui = lorawan::eui64_to_string(dev_eui);
  int stored = 0;
  for (const auto& r : readings) {
    insert.reset();
    insert.bind(1, eui)
        .bind(2, r.quantity)
        .bind(3, r.resource)
        .bind(4, channel_of(db, eui, r))
        .bind(5, r.storage)
        .bind(6, r.tariff)
        .bind(7, r.value)
        .bind(8, r.unit)
        .bind(9, r.measured_at)
        .bind(10, r.received_at)
        .bind(11, r.frame_id)
        .bind(12, r.flags)
        .bind(13, r.status)
        .run();
    stored += db.changes();
  }
  return stored;
}

void delete_readings_of_frame(Database& db, std::int64_t frame_id) {
  Statement(db, "DELETE FROM reading WHERE frame_id = ?").bind(1, frame_id).run();
}

std::vector<std::pair<std::int64_t, double>> register_values(Database& db, lorawan::Eui64 dev_eui,
                                                             std::string_view quantity, std::string_view resource,
                                                             std::int64_t from, std::int64_t to) {
  // Ordered by channel first: only the lowest channel carrying this resource is the register.
  Statement q(db,
              "SELECT channel, measured_at, value FROM reading WHERE dev_eui = ? AND quantity = ? AND resource = ? "
              "AND storage = 0 AND tariff = 0 AND measured_at BETWEEN ? AND ? ORDER BY channel, measured_at");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, quantity).bind(3, resource).bind(4, from).bind(5, to);
  std::vector<std::pair<std::int64_t, double>> values;
  std::optional<std::int64_t> channel;
  while (q.step()) {
    if (channel && *channel != q.int64(0)) break;
    channel = q.int64(0);
    values.emplace_back(q.int64(1), q.real(2));
  }
  return values;
}

std::vector<ReadingTime> register_reading_times(Database& db, lorawan::Eui64 dev_eui, std::int64_t from,
                                                std::int64_t to) {
  Statement q(db,
              "SELECT measured_at, flags, status FROM reading WHERE dev_eui = ? AND storage = 0 "
              "AND quantity IN ('volume', 'energy') AND measured_at >= ? AND measured_at < ? ORDER BY measured_at");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, from).bind(3, to);
  std::vector<ReadingTime> out;
  while (q.step()) out.push_back({q.int64(0), q.text(1), q.text(2)});
  return out;
}

std::vector<std::pair<std::int64_t, std::string>> reading_statuses(Database& db, lorawan::Eui64 dev_eui,
                                                                   std::int64_t from, std::int64_t to) {
  Statement q(db,
              "SELECT measured_at, status FROM reading WHERE dev_eui = ? AND status <> '' "
              "AND measured_at BETWEEN ? AND ? ORDER BY measured_at");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, from).bind(3, to);
  std::vector<std::pair<std::int64_t, std::string>> out;
  while (q.step()) out.emplace_back(q.int64(0), q.text(1));
  return out;
}

std::vector<StoredReading> list_readings(Database& db, lorawan::Eui64 dev_eui, std::int64_t from, std::int64_t to,
                                         std::string_view quantity) {
  Statement q(
      db,
      "SELECT quantity, resource, unit, flags, status, channel, storage, tariff, value, measured_at, received_at "
      "FROM reading WHERE dev_eui = ? AND measured_at >= ? AND measured_at <= ? AND (? = '' OR quantity = ?) "
      "ORDER BY quantity, channel, storage, tariff, measured_at");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, from).bind(3, to).bind(4, quantity).bind(5, quantity);
  std::vector<StoredReading> out;
  while (q.step()) {
    out.push_back(StoredReading{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), static_cast<int>(q.int64(5)),
                                static_cast<int>(q.int64(6)), static_cast<int>(q.int64(7)), q.real(8), q.int64(9),
                                q.int64(10)});
  }
  return out;
}

}  // namespace uchet::schema
