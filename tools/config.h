#pragma once
// uchetd's configuration: a TOML file whose every key has a default, so running with no file
// is a valid deployment. Unknown keys, wrong types and impossible values are errors that name
// the key; nothing is silently replaced by a default.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "appserver/integration/http_integration.h"
#include "appserver/integration/tenant.h"
#include "appserver/integration/topics.h"
#include "netserver/lorawan/types.h"
#include "schema/key_wrap.h"

namespace uchet {

struct Config {
  struct Storage {
    // "sqlite" (one file, the default) or "postgresql" (a server reached through `dsn`).
    std::string backend = "sqlite";
    // The SQLite file (backend sqlite only).
    std::string path = "var/uchet.db";
    // The PostgreSQL connection URI, postgresql://… (backend postgresql only, required there).
    std::string dsn;
    // Whether the file set `path` (a key set for the other backend is an error, not ignored).
    bool path_given = false;
    // The location Database::open takes: `dsn` on PostgreSQL, else `path`. Log it only through
    // schema::printable_location (a DSN may hold a password).
    const std::string& location() const { return backend == "postgresql" ? dsn : path; }
    // Archived uplink frames older than this are deleted (readings, alarms, lifecycle and
    // billing data are kept); 0 keeps them forever.
    int frame_retention_days = 90;
    // Root and session keys are wrapped with the key-encryption key in this file
    // (schema/key_encryption.h); empty: keys are stored in plain text. Read at load.
    std::string kek_file;
    std::optional<schema::KeyEncryptionKey> kek;
  } storage;
  struct GatewayBridge {
    std::string bind = "0.0.0.0:1700";
  } gateway_bridge;
  // LoRa Basics Station gateways (the LNS protocol over WebSocket, TLS when a certificate is
  // given); off unless `bind` is set.
  struct BasicStation {
    std::string bind;          // "host:port"; empty: no Basics Station server
    std::string tls_cert;      // PEM file: the server certificate (chain); with tls_key, or neither
    std::string tls_key;       // PEM file: its private key
    std::string public_host;   // the DNS name stations reach uchetd by, put in the traffic URI
    int ping_interval_s = 30;  // server-side WebSocket pings; a peer silent for two intervals is dropped
  } basic_station;
  struct Network {
    std::string region = "RU864";
    lorawan::NetId net_id = 0x000000;
    int dedup_window_ms = 200;
    int rx1_delay_s = 1;
    int rx1_dr_offset = 0;
    double installation_margin_db = 10.0;
    int dev_status_interval_h = 24;
    int dev_status_max_per_s = 5;
    // Extra channels given to joining devices in the CFList (Hz, at most 5); absent: the region's
    // usual ones (see default_extra_channels), empty: none.
    std::optional<std::vector<std::uint32_t>> extra_channels_hz;
    // Duty-cycle limits replacing the region's, by sub-band name (lorawan::Region::sub_bands),
    // as a share of the hour (the file gives percentages); checked against the region at load.
    std::vector<std::pair<std::string, double>> duty_cycle;
  } network;
  struct Mqtt {
    std::string server = "127.0.0.1:1883";
    std::string username;
    std::string password;
    std::string client_id = "uchetd";
    // Whether the file set client_id: on PostgreSQL an unset one becomes "<client_id>-<instance>"
    // (mqtt_client_id below), so that the instances of a cluster do not take each other's place.
    bool client_id_given = false;
    std::string ca_file;  // empty: no TLS
    int keepalive_s = 30;
    // Topic templates (appserver/integration/topics.h); the defaults are ChirpStack's layout by
    // application name.
    std::string event_topic{appserver::TopicLayout::kDefaultEventTopic};
    std::string command_topic{appserver::TopicLayout::kDefaultCommandTopic};
  } mqtt;
  // Several uchetd on one PostgreSQL database (docs/deployment.md, layout 3).
  struct Cluster {
    // This uchetd's name among the instances sharing the database: unique among the live ones
    // (a second uchetd with the same name refuses to start) and the same across restarts.
    // Default: the host name (default_instance_name). On SQLite, where one uchetd holds the file,
    // only the default is accepted.
    std::string instance;
  } cluster;
  // The tenant every ChirpStack event's deviceInfo names (uchet has one).
  struct Tenant {
    std::string id{appserver::kDefaultTenantId};  // a UUID, stored lower-case
    std::string name{appserver::kDefaultTenantName};
  } tenant;
  struct Http {
    std::string bind = "127.0.0.1:8080";
    std::string token_file;  // empty: no authentication
    std::string token;       // read from token_file at load, never logged
    int ready_broker_grace_s = 300;
  } http;
  // [[integration.http]]: webhook endpoints, each checked (URL, headers, events, ca_file).
  std::vector<appserver::HttpEndpointSettings> http_integrations;
  struct Log {
    std::string level = "info";
    std::string format = "text";  // or "json": one object per line
  } log;
  struct Time {
    int max_clock_offset_s = 30;
    std::string time_zone = "Asia/Yekaterinburg";
  } time;
  struct Balance {
    double alarm_threshold_pct = 10.0;
    int alarm_days = 2;
    int publish_delay_h = 6;
  } balance;
  struct Vee {
    int linear_max_gap_h = 72;
    double spike_factor = 5.0;
    int frozen_days = 3;
  } vee;
};

// The extra channels most RU864 / EU868 deployments use: 864.1–864.9 MHz and 867.1–867.9 MHz.
std::vector<std::uint32_t> default_extra_channels(std::string_view region);
// network.extra_channels_hz when set, else the region's defaults.
std::vector<std::uint32_t> extra_channels(const Config& config);

// The host name, with any character an instance name may not hold (schema/instances.h) replaced
// by '-' and cut to 32 characters; "uchetd" when the host has no name.
std::string default_instance_name();
// The MQTT client id uchetd connects with: mqtt.client_id as set, or when it was not set and
// the storage is PostgreSQL, "<mqtt.client_id>-<cluster.instance>" (two clients with one id
// would take each other's place on the broker forever).
std::string mqtt_client_id(const Config& config);

// Parses TOML text; `source` names the file in messages.
lorawan::Result<Config> parse_config(std::string_view toml_text, std::string_view source);
// Reads and parses a file; a missing file is an error (no file at all means: use defaults).
lorawan::Result<Config> load_config(const std::string& path);

// "host:port" (IPv6 as "[::1]:1700"); the error names `what`.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
lorawan::Result<HostPort> parse_host_port(std::string_view text, std::string_view what);

// `[mqtt] server` as ChirpStack users write it: "host:port", "tcp://host:port" or
// "ssl://host:port" (TLS); with a scheme the port may be left out (1883 for tcp, 8883 for ssl).
// Anything else (another scheme, a path, a bad host or port) is refused with a reason.
struct MqttServer {
  std::string host;
  std::uint16_t port = 1883;
  bool tls = false;
};
lorawan::Result<MqttServer> parse_mqtt_server(std::string_view text);

}  // namespace uchet
