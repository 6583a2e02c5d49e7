#include "schema/gateways.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

constexpr const char* kSelect =
    "SELECT gateway_eui, name, latitude, longitude, altitude, created_at, last_seen_at, "
    "rx_received, rx_ok, rx_forwarded, tx_received, tx_emitted FROM gateway ";

Gateway read_gateway(const Statement& q) {
  Gateway g;
  g.eui = lorawan::parse_eui64(q.text(0)).value_or(0);
  g.name = q.text(1);
  g.latitude = q.optional_real(2);
  g.longitude = q.optional_real(3);
  g.altitude = q.optional_real(4);
  g.created_at = q.int64(5);
  g.last_seen_at = q.optional_int64(6);
  g.rx_received = q.int64(7);
  g.rx_ok = q.int64(8);
  g.rx_forwarded = q.int64(9);
  g.tx_received = q.int64(10);
  g.tx_emitted = q.int64(11);
  return g;
}

}  // namespace

std::optional<Gateway> find_gateway(Database& db, lorawan::Eui64 eui) {
  Statement q(db, std::string(kSelect) + "WHERE gateway_eui = ?");
  q.bind(1, lorawan::eui64_to_string(eui));
  if (!q.step()) return std::nullopt;
  return read_gateway(q);
}

std::vector<Gateway> list_gateways(Database& db) {
  Statement q(db, std::string(kSelect) + "ORDER BY gateway_eui");
  std::vector<Gateway> out;
  while (q.step()) out.push_back(read_gateway(q));
  return out;
}

void insert_gateway(Database& db, const Gateway& g) {
  Statement(
      db,
      "INSERT INTO gateway (gateway_eui, name, latitude, longitude, altitude, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, lorawan::eui64_to_string(g.eui))
      .bind(2, g.name)
      .bind(3, g.latitude)
      .bind(4, g.longitude)
      .bind(5, g.altitude)
      .bind(6, unix_now())
      .run();
}

void delete_gateway(Database& db, lorawan::Eui64 eui) {
  Statement(db, "DELETE FROM gateway WHERE gateway_eui = ?").bind(1, lorawan::eui64_to_string(eui)).run();
}

void add_gateway_stats(Database& db, lorawan::Eui64 eui, const GatewayCounters& c) {
  Statement(db,
            "UPDATE gateway SET last_seen_at = ?, rx_received = rx_received + ?, rx_ok = rx_ok + ?, "
            "rx_forwarded = rx_forwarded + ?, tx_received = tx_received + ?, tx_emitted = tx_emitted + ? "
            "WHERE gateway_eui = ?")
      .bind(1, unix_now())
      .bind(2, c.rx_received)
      .bind(3, c.rx_ok)
      .bind(4, c.rx_forwarded)
      .bind(5, c.tx_received)
      .bind(6, c.tx_emitted)
      .bind(7, lorawan::eui64_to_string(eui))
      .run();
}

void set_gateway_position(Database& db, lorawan::Eui64 eui, double latitude, double longitude,
                          std::optional<double> altitude) {
  Statement(db, "UPDATE gateway SET latitude = ?, longitude = ?, altitude = ? WHERE gateway_eui = ?")
      .bind(1, latitude)
      .bind(2, longitude)
      .bind(3, altitude)
      .bind(4, lorawan::eui64_to_string(eui))
      .run();
}

}  // namespace uchet::schema
