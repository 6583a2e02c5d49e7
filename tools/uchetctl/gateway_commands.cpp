#include <array>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "common/token_file.h"
#include "gateway-bridge/basic_station/station_credentials.h"
#include "schema/basic_station_gateways.h"
#include "schema/gateway_downlink_figures.h"
#include "schema/gateways.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

std::string optional_text(const std::optional<double>& v) { return v ? fmt::format("{:.6g}", *v) : "-"; }

// The protocols a gateway may speak, and how a Basics Station one proves who it is (never the
// secret: only its kind).
std::string protocols(const std::optional<schema::BasicStationGateway>& station) {
  if (!station) return "semtech-udp";
  return fmt::format("semtech-udp, basic-station ({})", schema::station_credential_name(station->credential));
}

nlohmann::json station_json(const std::optional<schema::BasicStationGateway>& station) {
  if (!station) return nullptr;
  const auto time = [](const std::optional<std::int64_t>& t) {
    return t ? nlohmann::json(format_time(*t)) : nlohmann::json();
  };
  return {{"credential", schema::station_credential_name(station->credential)},
          {"connected", station->connected},
          {"connectedSince", time(station->connected_since)},
          {"lastSeenAt", time(station->last_seen_at)},
          {"stateUpdatedAt", time(station->state_updated_at)}};
}

nlohmann::json to_json(const schema::Gateway& g, const std::optional<schema::BasicStationGateway>& station) {
  return {{"gatewayEui", lorawan::eui64_to_string(g.eui)},
          {"basicStation", station_json(station)},
          {"name", g.name},
          {"latitude", optional_json(g.latitude)},
          {"longitude", optional_json(g.longitude)},
          {"altitude", optional_json(g.altitude)},
          {"createdAt", format_time(g.created_at)},
          {"lastSeenAt", g.last_seen_at ? nlohmann::json(format_time(*g.last_seen_at)) : nlohmann::json()},
          {"rxReceived", g.rx_received},
          {"rxOk", g.rx_ok},
          {"rxForwarded", g.rx_forwarded},
          {"txReceived", g.tx_received},
          {"txEmitted", g.tx_emitted}};
}

schema::Gateway existing_gateway(schema::Database& db, const std::string& eui_text) {
  auto g = schema::find_gateway(db, eui_arg(eui_text, "gateway EUI"));
  if (!g) throw UsageError("no gateway " + lorawan::eui64_to_string(eui_arg(eui_text, "gateway EUI")));
  return *g;
}

void check_range(const std::optional<double>& v, double min, double max, const std::string& what) {
  if (v && !(*v >= min && *v <= max)) {
    throw UsageError(fmt::format("{} must be between {} and {}", what, min, max));
  }
}

}  // namespace

void add_gateway_commands(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("gateway", "manage gateways (only registered ones are served)");
  group->require_subcommand(1);

  struct AddArgs {
    std::string eui, name;
    std::optional<double> lat, lon, alt;
    bool basic_station = false;
    std::string token_file, client_cert;
  };
  auto add_args = std::make_shared<AddArgs>();
  auto* add = group->add_subcommand("add", "register a gateway");
  add->add_option("EUI", add_args->eui, "gateway EUI, 16 hex digits")->required();
  add->add_option("--name", add_args->name, "gateway name")->required();
  add->add_option("--lat", add_args->lat, "latitude, degrees north");
  add->add_option("--lon", add_args->lon, "longitude, degrees east");
  add->add_option("--alt", add_args->alt, "altitude, metres");
  auto* station = add->add_flag("--basic-station", add_args->basic_station,
                                "may also connect as a LoRa Basics Station (docs/basic-station.md)");
  auto* token =
      add->add_option("--token-file", add_args->token_file,
                      "Basics Station: a file whose first line is the gateway's token (only its SHA-256 is stored)");
  auto* cert = add->add_option("--client-cert", add_args->client_cert,
                               "Basics Station: the gateway's TLS client certificate (PEM; its fingerprint is stored)");
  token->needs(station);
  cert->needs(station);
  token->excludes(cert);
  add->callback([&selected, add_args] {
    selected = [add_args](Context& ctx) {
      schema::Gateway g;
      g.eui = eui_arg(add_args->eui, "gateway EUI");
      validate_name(add_args->name, "gateway name");
      g.name = add_args->name;
      check_range(add_args->lat, -90, 90, "--lat");
      check_range(add_args->lon, -180, 180, "--lon");
      check_range(add_args->alt, -500, 9000, "--alt");
      g.latitude = add_args->lat;
      g.longitude = add_args->lon;
      g.altitude = add_args->alt;
      if (schema::find_gateway(ctx.db, g.eui)) {
        throw UsageError("gateway " + lorawan::eui64_to_string(g.eui) + " already exists");
      }
      // Read before anything is written: a bad file changes nothing.
      auto credential = schema::StationCredentialKind::None;
      std::optional<std::array<std::uint8_t, 32>> digest;
      if (!add_args->token_file.empty()) {
        auto secret = common::read_token_file(add_args->token_file);
        if (!secret) throw UsageError("--token-file: " + secret.error());
        credential = schema::StationCredentialKind::Token;
        digest = gateway_bridge::basic_station::sha256_of(*secret);
      } else if (!add_args->client_cert.empty()) {
        auto fingerprint = gateway_bridge::basic_station::certificate_file_fingerprint(add_args->client_cert);
        if (!fingerprint) throw UsageError("--client-cert: " + fingerprint.error());
        credential = schema::StationCredentialKind::ClientCertificate;
        digest = *fingerprint;
      }
      schema::insert_gateway(ctx.db, g);
      if (add_args->basic_station) schema::insert_basic_station_gateway(ctx.db, g.eui, credential, digest);
      ctx.output.done("added gateway " + lorawan::eui64_to_string(g.eui),
                      to_json(*schema::find_gateway(ctx.db, g.eui), schema::find_basic_station_gateway(ctx.db, g.eui)));
    };
  });

  auto* list = group->add_subcommand("list", "list gateways");
  list->callback([&selected] {
    selected = [](Context& ctx) {
      Table t{{"GATEWAY EUI", "NAME", "LAT", "LON", "LAST SEEN", "PROTOCOLS"}, {}};
      auto j = nlohmann::json::array();
      std::map<lorawan::Eui64, schema::BasicStationGateway> stations;
      for (auto& s : schema::list_basic_station_gateways(ctx.db)) stations.emplace(s.eui, std::move(s));
      for (const auto& g : schema::list_gateways(ctx.db)) {
        std::optional<schema::BasicStationGateway> station;
        if (auto it = stations.find(g.eui); it != stations.end()) station = it->second;
        t.rows.push_back({lorawan::eui64_to_string(g.eui), g.name, optional_text(g.latitude),
                          optional_text(g.longitude), g.last_seen_at ? format_time(*g.last_seen_at) : "never",
                          protocols(station)});
        j.push_back(to_json(g, station));
      }
      ctx.output.table(t, j);
    };
  });

  auto show_eui = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "show one gateway");
  show->add_option("EUI", *show_eui, "gateway EUI")->required();
  show->callback([&selected, show_eui] {
    selected = [show_eui](Context& ctx) {
      auto g = existing_gateway(ctx.db, *show_eui);
      const auto station = schema::find_basic_station_gateway(ctx.db, g.eui);
      std::vector<std::pair<std::string, std::string>> fields = {
          {"gateway EUI", lorawan::eui64_to_string(g.eui)},
          {"name", g.name},
          {"latitude", optional_text(g.latitude)},
          {"longitude", optional_text(g.longitude)},
          {"altitude", optional_text(g.altitude)},
          {"created", format_time(g.created_at)},
          {"last seen", g.last_seen_at ? format_time(*g.last_seen_at) : "never"},
          {"received / CRC ok / forwarded", fmt::format("{} / {} / {}", g.rx_received, g.rx_ok, g.rx_forwarded)},
          {"downlinks received / emitted", fmt::format("{} / {}", g.tx_received, g.tx_emitted)},
          {"protocols", protocols(station)}};
      if (station) {
        // As uchetd last wrote it (every 15 s and at stop).
        const auto time = [](const std::optional<std::int64_t>& t) {
          return t ? format_time(*t) : std::string("never");
        };
        fields.emplace_back("basic station connection",
                            station->state_updated_at
                                ? fmt::format("{} (as of {})", station->connected ? "connected" : "not connected",
                                              format_time(*station->state_updated_at))
                                : std::string("never connected"));
        fields.emplace_back("basic station connected since", time(station->connected_since));
        fields.emplace_back("basic station last seen", time(station->last_seen_at));
      }
      auto j = to_json(g, station);
      // uchetd's downlink scheduler, as it saved them (every minute and at stop).
      if (auto d = schema::find_gateway_downlink_figures(ctx.db, g.eui)) {
        fields.emplace_back("downlink figures as of", format_time(d->updated_at));
        nlohmann::json figures = nlohmann::json::object();
        std::string refused, airtime;
        for (const auto& [name, value] : d->figures) {
          figures[name] = value;
          if (name.starts_with("refused.")) {
            refused += (refused.empty() ? "" : ", ") + name.substr(8) + " " + std::to_string(value);
          } else if (name.starts_with("airtime_us.")) {
            airtime += (airtime.empty() ? "" : ", ") + name.substr(11) + " MHz " +
                       fmt::format("{:.1f} s", static_cast<double>(value) / 1e6);
          }
        }
        const auto figure = [&](const char* name) { return figures.value(name, std::int64_t{0}); };
        fields.emplace_back("downlinks planned / sent / acknowledged",
                            fmt::format("{} / {} / {}", figure("planned"), figure("sent"), figure("acknowledged")));
        fields.emplace_back("MAC requests deferred", std::to_string(figure("deferred")));
        fields.emplace_back("downlinks refused", refused.empty() ? "none" : refused);
        fields.emplace_back("airtime in the last hour", airtime.empty() ? "none" : airtime);
        j["downlinkFigures"] = figures;
        j["downlinkFiguresAt"] = format_time(d->updated_at);
      } else {
        fields.emplace_back("downlink figures", "none saved yet (uchetd saves them every minute)");
      }
      ctx.output.fields(fields, j);
    };
  });

  auto remove_eui = std::make_shared<std::string>();
  auto* remove = group->add_subcommand("remove", "unregister a gateway");
  remove->add_option("EUI", *remove_eui, "gateway EUI")->required();
  remove->callback([&selected, remove_eui] {
    selected = [remove_eui](Context& ctx) {
      auto g = existing_gateway(ctx.db, *remove_eui);
      schema::delete_gateway(ctx.db, g.eui);
      ctx.output.done("removed gateway " + lorawan::eui64_to_string(g.eui),
                      {{"removed", lorawan::eui64_to_string(g.eui)}});
    };
  });
}

}  // namespace uchet::cli
