#include "schema/gateway_downlink_figures.h"

#include "netserver/lorawan/encoding.h"
#include "schema/statement.h"

namespace uchet::schema {

namespace {

bool is_airtime(std::string_view name) { return name.starts_with(netserver::scheduling::kAirtimeFigurePrefix); }

}  // namespace

void save_gateway_downlink_figures(Database& db, lorawan::Eui64 gateway_eui, std::int64_t now,
                                   const std::vector<std::pair<std::string, std::int64_t>>& figures, bool airtime) {
  const auto eui = lorawan::eui64_to_string(gateway_eui);
  if (airtime) {
    Statement(db, "DELETE FROM gateway_downlink_figure WHERE gateway_eui = ?").bind(1, eui).run();
  } else {
    static_assert(netserver::scheduling::kAirtimeFigurePrefix == "airtime_us.");
    Statement(db, "DELETE FROM gateway_downlink_figure WHERE gateway_eui = ? AND substr(name, 1, 11) <> 'airtime_us.'")
        .bind(1, eui)
        .run();
  }
  Statement insert(db,
                   "INSERT INTO gateway_downlink_figure (gateway_eui, name, value, updated_at) VALUES (?, ?, ?, ?)");
  for (const auto& [name, value] : figures) {
    if (!airtime && is_airtime(name)) continue;
    insert.reset();
    insert.bind(1, eui).bind(2, name).bind(3, value).bind(4, now).run();
  }
}

std::optional<GatewayDownlinkFigures> find_gateway_downlink_figures(Database& db, lorawan::Eui64 gateway_eui) {
  Statement q(db, "SELECT name, value, updated_at FROM gateway_downlink_figure WHERE gateway_eui = ? ORDER BY name");
  q.bind(1, lorawan::eui64_to_string(gateway_eui));
  GatewayDownlinkFigures out;
  bool any = false;
  while (q.step()) {
    any = true;
    out.figures.emplace_back(q.text(0), q.int64(1));
    out.updated_at = std::max(out.updated_at, q.int64(2));
    if (is_airtime(out.figures.back().first)) out.airtime_saved_at = std::max(out.airtime_saved_at, q.int64(2));
  }
  if (!any) return std::nullopt;
  return out;
}

}  // namespace uchet::schema
