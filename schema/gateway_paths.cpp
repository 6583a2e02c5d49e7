#include "schema/gateway_paths.h"

#include "netserver/lorawan/encoding.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

GatewayPath read_path(Statement& q) {
  return {lorawan::parse_eui64(q.text(0)).value_or(0), q.text(1), q.text(2), q.int64(3)};
}

}  // namespace

void hold_gateway_path(Database& db, const GatewayPath& path) {
  Statement(db,
            "INSERT INTO gateway_path (gateway_eui, instance, backend, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (gateway_eui) DO UPDATE SET instance = excluded.instance, backend = excluded.backend, "
            "updated_at = excluded.updated_at")
      .bind(1, lorawan::eui64_to_string(path.gateway_eui))
      .bind(2, path.instance)
      .bind(3, path.backend)
      .bind(4, path.updated_at)
      .run();
}

std::optional<GatewayPath> find_gateway_path(Database& db, lorawan::Eui64 gateway_eui) {
  Statement q(db, "SELECT gateway_eui, instance, backend, updated_at FROM gateway_path WHERE gateway_eui = ?");
  q.bind(1, lorawan::eui64_to_string(gateway_eui));
  if (!q.step()) return std::nullopt;
  return read_path(q);
}

std::vector<GatewayPath> list_gateway_paths(Database& db) {
  Statement q(db, "SELECT gateway_eui, instance, backend, updated_at FROM gateway_path ORDER BY gateway_eui");
  std::vector<GatewayPath> out;
  while (q.step()) out.push_back(read_path(q));
  return out;
}

}  // namespace uchet::schema
