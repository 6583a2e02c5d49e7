#include <catch2/catch.hpp>

#include "schema/instances.h"
#include "tools/config.h"

using uchet::parse_config;

TEST_CASE("an empty configuration gives the documented defaults") {
  auto c = parse_config("", "test.toml");
  REQUIRE(c);
  CHECK(c->storage.path == "var/uchet.db");
  CHECK(c->gateway_bridge.bind == "0.0.0.0:1700");
  CHECK(c->network.region == "RU864");
  CHECK(c->network.net_id == 0);
  CHECK(c->network.dedup_window_ms == 200);
  CHECK(c->network.rx1_delay_s == 1);
  CHECK(c->mqtt.server == "127.0.0.1:1883");
  CHECK(c->log.level == "info");
  CHECK(c->log.format == "text");
  CHECK(c->storage.frame_retention_days == 90);
  CHECK(c->time.max_clock_offset_s == 30);
}

TEST_CASE("every key of the example configuration is accepted") {
  auto text = R"(
[storage]
path = "/var/lib/uchet/uchet.db"
frame_retention_days = 0
[gateway_bridge]
bind = "[::]:1700"
[network]
region = "EU868"
net_id = "00001A"
dedup_window_ms = 300
rx1_delay_s = 2
rx1_dr_offset = 1
installation_margin_db = 8.5
dev_status_interval_h = 12
dev_status_max_per_s = 20
[mqtt]
server = "broker.local:8883"
username = "uchet"
password = "secret"
client_id = "uchetd-1"
ca_file = "/etc/ssl/ca.pem"
keepalive_s = 60
event_topic = "application/{application_id}/device/{dev_eui}/event/{event}"
command_topic = "application/{application_id}/device/{dev_eui}/command/down"
[http]
bind = "127.0.0.1:9100"
[log]
level = "debug"
format = "json"
[time]
max_clock_offset_s = 10
time_zone = "Europe/Moscow"
)";
  auto c = parse_config(text, "test.toml");
  REQUIRE(c);
  CHECK(c->network.region == "EU868");
  CHECK(c->network.net_id == 0x1A);
  CHECK(c->network.installation_margin_db == 8.5);
  CHECK(c->network.dev_status_max_per_s == 20);
  CHECK(c->mqtt.client_id == "uchetd-1");
  CHECK(c->mqtt.event_topic == "application/{application_id}/device/{dev_eui}/event/{event}");
  CHECK(c->mqtt.command_topic == "application/{application_id}/device/{dev_eui}/command/down");
  CHECK(c->time.time_zone == "Europe/Moscow");
  CHECK(c->storage.frame_retention_days == 0);
  CHECK(c->log.format == "json");
}

TEST_CASE("bad configurations are refused with the key named") {
  auto error_of = [](const char* text) {
    auto c = parse_config(text, "u.toml");
    REQUIRE_FALSE(c);
    return c.error();
  };
  CHECK_THAT(error_of("[network]\nregion = \"US915\"\n"), Catch::Contains("network.region"));
  CHECK_THAT(error_of("[network]\ndedup_window_ms = \"fast\"\n"),
             Catch::Contains("network.dedup_window_ms must be an integer"));
  CHECK_THAT(error_of("[network]\ndedup_window_ms = 0\n"), Catch::Contains("network.dedup_window_ms must be between"));
  CHECK_THAT(error_of("[network]\nnet_id = \"12\"\n"), Catch::Contains("network.net_id"));
  CHECK_THAT(error_of("[network]\nregoin = \"RU864\"\n"), Catch::Contains("unknown key network.regoin"));
  CHECK_THAT(error_of("[mqqt]\nserver = \"x:1\"\n"), Catch::Contains("unknown section [mqqt]"));
  CHECK_THAT(error_of("[gateway_bridge]\nbind = \"0.0.0.0\"\n"), Catch::Contains("gateway_bridge.bind"));
  CHECK_THAT(error_of("[gateway_bridge]\nbind = \"0.0.0.0:70000\"\n"), Catch::Contains("gateway_bridge.bind"));
  CHECK_THAT(error_of("[log]\nlevel = \"loud\"\n"), Catch::Contains("log.level"));
  CHECK_THAT(error_of("[mqtt]\nevent_topic = \"application/{application_name}/device/{dev_eui}/up\"\n"),
             Catch::Contains("mqtt.event_topic"));
  CHECK_THAT(error_of("[mqtt]\nevent_topic = \"app/{app}/device/{dev_eui}/event/{event}\"\n"),
             Catch::Contains("mqtt.event_topic"));
  CHECK_THAT(error_of("[mqtt]\ncommand_topic = \"application/{application_id}/command/down\"\n"),
             Catch::Contains("mqtt.command_topic"));
  CHECK_THAT(error_of("[log]\nformat = \"xml\"\n"), Catch::Contains("log.format must be text or json"));
  CHECK_THAT(error_of("[storage]\nframe_retention_days = -1\n"),
             Catch::Contains("storage.frame_retention_days must be between"));
  CHECK_THAT(error_of("[storage]\npath = \"\"\n"), Catch::Contains("storage.path must not be empty"));
  CHECK_THAT(error_of("storage = 5\n"), Catch::Contains("'storage' must be a table"));
  CHECK_THAT(error_of("[storage\n"), Catch::Contains("u.toml:1"));
  CHECK_THAT(error_of("[balance]\nalarm_threshold_pct = -1\n"),
             Catch::Contains("balance.alarm_threshold_pct must be between"));
  CHECK_THAT(error_of("[balance]\nalarm_days = 0\n"), Catch::Contains("balance.alarm_days must be between"));
  CHECK_THAT(error_of("[vee]\nspike_factor = \"big\"\n"), Catch::Contains("vee.spike_factor must be a number"));
  CHECK_THAT(error_of("[vee]\nlinear_max_gap_h = 100000\n"), Catch::Contains("vee.linear_max_gap_h must be between"));
  CHECK_THAT(error_of("[network]\ndev_status_max_per_s = 0\n"),
             Catch::Contains("network.dev_status_max_per_s must be between"));
  CHECK_THAT(error_of("[network]\nextra_channels_hz = 864100000\n"),
             Catch::Contains("extra_channels_hz must be an array of integers"));
  CHECK_THAT(error_of("[network]\nextra_channels_hz = [1, 2, 3, 4, 5, 6]\n"), Catch::Contains("at most 5"));
  CHECK_THAT(error_of("[network]\nextra_channels_hz = [864100050]\n"), Catch::Contains("multiples of 100"));
  CHECK_THAT(error_of("[network]\nextra_channels_hz = [864100000, 864100000]\n"), Catch::Contains("twice"));
  CHECK_THAT(error_of("[network]\nextra_channels_hz = [915000000]\n"), Catch::Contains("outside the RU864 band"));
  CHECK_THAT(error_of("[network]\nextra_channels_hz = [868900000]\n"), Catch::Contains("default channel of RU864"));
  // In the band but where the Russian rules open nothing to short-range devices.
  CHECK_THAT(error_of("[network]\nextra_channels_hz = [865500000]\n"),
             Catch::Contains("865500000 lies in no sub-band of RU864 (864.0-865.0, 866.0-868.0, 868.7-869.2 MHz)"));
  CHECK_THAT(error_of("[network]\nregion = \"EU868\"\nextra_channels_hz = [870500000]\n"),
             Catch::Contains("outside the EU868 band"));
}

TEST_CASE("extra channels default to the region's usual ones and may be switched off") {
  auto ru = parse_config("", "u.toml");
  REQUIRE(ru);
  CHECK(uchet::extra_channels(*ru) ==
        std::vector<std::uint32_t>{864100000, 864300000, 864500000, 864700000, 864900000});
  auto eu = parse_config("[network]\nregion = \"EU868\"\n", "u.toml");
  REQUIRE(eu);
  CHECK(uchet::extra_channels(*eu) ==
        std::vector<std::uint32_t>{867100000, 867300000, 867500000, 867700000, 867900000});
  auto none = parse_config("[network]\nextra_channels_hz = []\n", "u.toml");
  REQUIRE(none);
  CHECK(uchet::extra_channels(*none).empty());
  auto two = parse_config("[network]\nextra_channels_hz = [864500000, 864700000]\n", "u.toml");
  REQUIRE(two);
  CHECK(uchet::extra_channels(*two) == std::vector<std::uint32_t>{864500000, 864700000});
}

TEST_CASE("host:port parsing accepts IPv4, names and bracketed IPv6") {
  auto a = uchet::parse_host_port("[::1]:1700", "bind");
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == 1700);
  auto b = uchet::parse_host_port("localhost:1883", "server");
  REQUIRE(b);
  CHECK(b->host == "localhost");
  CHECK_FALSE(uchet::parse_host_port(":1700", "bind"));
  CHECK_FALSE(uchet::parse_host_port("[::1]1700", "bind"));
  CHECK_FALSE(uchet::parse_host_port("host:17x", "bind"));
}

TEST_CASE("mqtt.server takes host:port, tcp://host:port and ssl://host:port, and nothing else") {
  struct Case {
    std::string text, host;
    std::uint16_t port;
    bool tls;
  };
  for (const auto& c : std::vector<Case>{{"127.0.0.1:1883", "127.0.0.1", 1883, false},
                                         {"broker.local:8883", "broker.local", 8883, false},
                                         {"tcp://127.0.0.1:1883", "127.0.0.1", 1883, false},
                                         {"tcp://mqtt-1.example", "mqtt-1.example", 1883, false},
                                         {"ssl://broker.example:8884", "broker.example", 8884, true},
                                         {"ssl://broker.example", "broker.example", 8883, true},
                                         {"[::1]:1883", "::1", 1883, false},
                                         {"ssl://[::1]:8883", "::1", 8883, true}}) {
    INFO(c.text);
    auto server = uchet::parse_mqtt_server(c.text);
    REQUIRE(server);
    CHECK(server->host == c.host);
    CHECK(server->port == c.port);
    CHECK(server->tls == c.tls);
    CHECK(parse_config("[mqtt]\nserver = \"" + c.text + "\"\n", "u.toml"));
  }
  for (std::string bad : {"mqtt://broker:1883", "ws://broker:80", "tcp://", "tcp://:1883", "tcp://broker:1883/path",
                          "broker", "broker:0", "broker:70000", "tcp://bro ker:1883", "ssl://broker:x"}) {
    INFO(bad);
    CHECK_FALSE(uchet::parse_mqtt_server(bad));
    auto c = parse_config("[mqtt]\nserver = \"" + bad + "\"\n", "u.toml");
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error(), Catch::Contains("mqtt.server"));
  }
}

TEST_CASE("the tenant named in ChirpStack events comes from [tenant], checked") {
  auto defaults = parse_config("", "u.toml");
  REQUIRE(defaults);
  CHECK(defaults->tenant.id == "52f14cd4-c6f1-4fbd-8f87-4025e1d49242");
  CHECK(defaults->tenant.name == "uchet");
  auto set = parse_config("[tenant]\nid = \"0B5F7C3E-9A1D-4D3C-8F2E-111111111111\"\nname = \"Водоканал\"\n", "u.toml");
  REQUIRE(set);
  CHECK(set->tenant.id == "0b5f7c3e-9a1d-4d3c-8f2e-111111111111");  // stored lower-case, as ChirpStack writes UUIDs
  CHECK(set->tenant.name == "Водоканал");
  for (const char* bad : {"[tenant]\nid = \"tenant-1\"\n", "[tenant]\nname = \"\"\n", "[tenant]\nname = \"a\\nb\"\n",
                          "[tenant]\nid = 5\n"}) {
    INFO(bad);
    auto c = parse_config(bad, "u.toml");
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error(), Catch::Contains("tenant."));
  }
}

TEST_CASE("[[integration.http]] entries are read and every mistake names its key") {
  auto c = parse_config(R"(
[[integration.http]]
url = "https://hooks.example.com/uchet?token=1"
headers = { Authorization = "Bearer abc", "X-Site" = "north" }
events = ["up", "join"]
timeout_s = 5
max_backlog = 5000
[[integration.http]]
url = "http://10.0.0.5:8090/"
)",
                        "test.toml");
  REQUIRE(c);
  REQUIRE(c->http_integrations.size() == 2);
  const auto& first = c->http_integrations[0];
  CHECK(first.url == "https://hooks.example.com/uchet?token=1");
  CHECK(first.headers.size() == 2);
  CHECK(first.events == std::vector<std::string>{"up", "join"});
  CHECK(first.timeout == std::chrono::seconds(5));
  CHECK(first.max_backlog == 5000);
  CHECK(c->http_integrations[1].events.empty());  // every event
  CHECK(parse_config("", "t.toml")->http_integrations.empty());

  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"[[integration.http]]\nurl = \"ftp://x/\"\n", "integration.http[0].url"},
           {"[[integration.http]]\nevents = [\"up\"]\n", "integration.http[0].url is missing"},
           {"[[integration.http]]\nurl = \"http://x/\"\n[[integration.http]]\nurl = \"mqtt://y\"\n",
            "integration.http[1].url"},
           {"[[integration.http]]\nurl = \"http://x/\"\nevents = [\"uplink\"]\n", "integration.http[0].events"},
           {"[[integration.http]]\nurl = \"http://x/\"\nevents = []\n", "integration.http[0].events"},
           {"[[integration.http]]\nurl = \"http://x/\"\nheaders = { Host = \"y\" }\n",
            "integration.http[0].headers.Host"},
           {"[[integration.http]]\nurl = \"http://x/\"\nheaders = { \"Bad Name\" = \"y\" }\n",
            "integration.http[0].headers.Bad Name"},
           {"[[integration.http]]\nurl = \"http://x/\"\nheaders = \"Authorization: x\"\n",
            "integration.http[0].headers"},
           {"[[integration.http]]\nurl = \"https://x/\"\nca_file = \"/nonexistent/ca.pem\"\n",
            "integration.http[0].ca_file"},
           {"[[integration.http]]\nurl = \"http://x/\"\nca_file = \"/etc/hostname\"\n", "integration.http[0].ca_file"},
           {"[[integration.http]]\nurl = \"http://x/\"\ntimeout_s = 0\n", "integration.http[0].timeout_s"},
           {"[[integration.http]]\nurl = \"http://x/\"\nmax_backlog = 10\n", "integration.http[0].max_backlog"},
           {"[[integration.http]]\nurl = \"http://x/\"\nsecret = 1\n", "integration.http[0].secret"},
           {"[[integration.http]]\nurl = \"http://x/\"\n[[integration.http]]\nurl = \"http://x/\"\n",
            "integration.http[1].url repeats"},
           {"[integration]\nhttp = \"http://x/\"\n", "integration.http must be written [[integration.http]]"},
           {"[integration]\nmqtt = 1\n", "integration.mqtt"}}) {
    INFO(text);
    auto r = parse_config(text, "t.toml");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error(), Catch::Contains(key));
  }
}

TEST_CASE("network.duty_cycle_pct overrides the region's sub-band limits, checked against the region") {
  auto none = parse_config("", "u.toml");
  REQUIRE(none);
  CHECK(none->network.duty_cycle.empty());  // the region's own limits

  auto ten = parse_config("[network]\nduty_cycle_pct = { \"868.7-869.2\" = 10 }\n", "u.toml");
  REQUIRE(ten);
  REQUIRE(ten->network.duty_cycle.size() == 1);
  CHECK(ten->network.duty_cycle[0].first == "868.7-869.2");
  CHECK(ten->network.duty_cycle[0].second == Approx(0.10));

  auto error_of = [](const char* text) {
    auto c = parse_config(text, "u.toml");
    REQUIRE_FALSE(c);
    return c.error();
  };
  CHECK_THAT(error_of("[network]\nduty_cycle_pct = 10\n"), Catch::Contains("network.duty_cycle_pct must be a table"));
  CHECK_THAT(error_of("[network]\nduty_cycle_pct = { \"868.7-869.2\" = 101 }\n"), Catch::Contains("between 0 and 100"));
  CHECK_THAT(error_of("[network]\nduty_cycle_pct = { \"868.7-869.2\" = \"ten\" }\n"),
             Catch::Contains("between 0 and 100"));
  // A sub-band of another region (EU868's 10 % band) is refused under RU864, naming RU864's bands.
  CHECK_THAT(error_of("[network]\nduty_cycle_pct = { \"869.4-869.65\" = 10 }\n"),
             Catch::Contains("is not a sub-band of RU864 (864.0-865.0, 866.0-868.0, 868.7-869.2)"));
  // The single 864.0-870.0 band RU864 had before it carried the national ranges is refused.
  CHECK_THAT(error_of("[network]\nduty_cycle_pct = { \"864.0-870.0\" = 10 }\n"),
             Catch::Contains("is not a sub-band of RU864"));
}

TEST_CASE("[basic_station] is off by default, and its keys are read and checked together") {
  auto defaults = parse_config("", "u.toml");
  REQUIRE(defaults);
  CHECK(defaults->basic_station.bind.empty());
  CHECK(defaults->basic_station.ping_interval_s == 30);

  // Any readable file stands in for the PEM files here: they are loaded at start, not at parse.
  const std::string readable = std::string(UCHET_TEST_DATA) + "/../../uchet.example.toml";
  auto c = parse_config(
      "[basic_station]\nbind = \"0.0.0.0:3001\"\npublic_host = \"lns.example.net\"\n"
      "tls_cert = \"" +
          readable + "\"\ntls_key = \"" + readable + "\"\nping_interval_s = 10\n",
      "u.toml");
  REQUIRE(c);
  CHECK(c->basic_station.bind == "0.0.0.0:3001");
  CHECK(c->basic_station.public_host == "lns.example.net");
  CHECK(c->basic_station.tls_cert == readable);
  CHECK(c->basic_station.tls_key == readable);
  CHECK(c->basic_station.ping_interval_s == 10);
  // Plain ws: an IP address may be the public host (no certificate to match).
  CHECK(parse_config("[basic_station]\nbind = \"0.0.0.0:3001\"\npublic_host = \"192.0.2.1\"\n", "u.toml"));

  auto error_of = [](const std::string& text) {
    auto parsed = parse_config(text, "u.toml");
    REQUIRE_FALSE(parsed);
    return parsed.error();
  };
  CHECK_THAT(error_of("[basic_station]\nbind = \"0.0.0.0\"\n"), Catch::Contains("basic_station.bind"));
  CHECK_THAT(error_of("[basic_station]\nbind = \"0.0.0.0:3001\"\n"),
             Catch::Contains("basic_station.public_host must be set"));
  CHECK_THAT(error_of("[basic_station]\npublic_host = \"lns.example.net:3001\"\n"),
             Catch::Contains("basic_station.public_host must be a host name without a port"));
  CHECK_THAT(error_of("[basic_station]\ntls_cert = \"/nonexistent/cert.pem\"\n"),
             Catch::Contains("basic_station.tls_cert cannot read"));
  CHECK_THAT(error_of("[basic_station]\ntls_key = \"/nonexistent/key.pem\"\n"),
             Catch::Contains("basic_station.tls_key cannot read"));
  CHECK_THAT(error_of("[basic_station]\ntls_cert = \"" + readable + "\"\n"),
             Catch::Contains("must be given both or neither"));
  CHECK_THAT(error_of("[basic_station]\nbind = \"0.0.0.0:3001\"\npublic_host = \"192.0.2.1\"\ntls_cert = \"" +
                      readable + "\"\ntls_key = \"" + readable + "\"\n"),
             Catch::Contains("must be a DNS name, not an IP address"));
  CHECK_THAT(error_of("[basic_station]\nping_interval_s = 0\n"),
             Catch::Contains("basic_station.ping_interval_s must be between"));
}

TEST_CASE("[storage] backend chooses SQLite's path or PostgreSQL's dsn as the database") {
  auto sqlite = parse_config("[storage]\nbackend = \"sqlite\"\npath = \"/var/lib/uchet/uchet.db\"\n", "u.toml");
  REQUIRE(sqlite);
  CHECK(sqlite->storage.location() == "/var/lib/uchet/uchet.db");
  auto defaults = parse_config("", "u.toml");
  REQUIRE(defaults);
  CHECK(defaults->storage.backend == "sqlite");
  CHECK(defaults->storage.location() == "var/uchet.db");
  auto pg =
      parse_config("[storage]\nbackend = \"postgresql\"\ndsn = \"postgresql://uchet:pw@db.example/uchet\"\n", "u.toml");
  REQUIRE(pg);
  CHECK(pg->storage.location() == "postgresql://uchet:pw@db.example/uchet");
  auto socket =
      parse_config("[storage]\nbackend = \"postgresql\"\ndsn = \"postgres:///uchet?host=/run/postgresql\"\n", "u.toml");
  REQUIRE(socket);
  CHECK(socket->storage.location() == "postgres:///uchet?host=/run/postgresql");
}

TEST_CASE("a [storage] key of the other backend, a missing dsn or a wrong backend is refused") {
  auto error_of = [](const std::string& text) {
    auto c = parse_config(text, "u.toml");
    REQUIRE_FALSE(c);
    return c.error();
  };
  CHECK_THAT(error_of("[storage]\nbackend = \"mysql\"\n"),
             Catch::Contains("storage.backend must be \"sqlite\" or \"postgresql\""));
  CHECK_THAT(error_of("[storage]\nbackend = \"postgresql\"\n"),
             Catch::Contains("storage.dsn must be set when storage.backend is \"postgresql\""));
  CHECK_THAT(error_of("[storage]\nbackend = \"postgresql\"\ndsn = \"postgresql:///u\"\npath = \"u.db\"\n"),
             Catch::Contains("storage.path is the SQLite file"));
  CHECK_THAT(error_of("[storage]\ndsn = \"postgresql:///u\"\n"),
             Catch::Contains("storage.dsn is for storage.backend = \"postgresql\""));
  CHECK_THAT(error_of("[storage]\nbackend = \"postgresql\"\ndsn = \"host=db dbname=u\"\n"),
             Catch::Contains("storage.dsn must be a PostgreSQL connection URI"));
}

TEST_CASE("[cluster] instance names this uchetd among those sharing a PostgreSQL database") {
  const std::string pg = "[storage]\nbackend = \"postgresql\"\ndsn = \"postgresql:///uchet\"\n";
  auto defaults = parse_config(pg, "u.toml");
  REQUIRE(defaults);
  // Default: the host name, the same at every restart (so a restarted instance rejoins).
  CHECK(defaults->cluster.instance == uchet::default_instance_name());
  CHECK(uchet::schema::instance_name_refusal(defaults->cluster.instance).empty());
  auto named = parse_config(pg + "[cluster]\ninstance = \"uchet-b.2\"\n", "u.toml");
  REQUIRE(named);
  CHECK(named->cluster.instance == "uchet-b.2");
  auto error_of = [](const std::string& text) {
    auto c = parse_config(text, "u.toml");
    REQUIRE_FALSE(c);
    return c.error();
  };
  CHECK_THAT(error_of(pg + "[cluster]\ninstance = \"\"\n"), Catch::Contains("cluster.instance must be 1 to 32"));
  CHECK_THAT(error_of(pg + "[cluster]\ninstance = \"a b\"\n"), Catch::Contains("cluster.instance may hold only"));
  CHECK_THAT(error_of(pg + "[cluster]\ninstance = \"" + std::string(33, 'a') + "\"\n"),
             Catch::Contains("must be 1 to 32"));
  CHECK_THAT(error_of(pg + "[cluster]\nname = \"a\"\n"), Catch::Contains("unknown key cluster.name"));
  // SQLite: one uchetd holds the file; a name other than the default would do nothing.
  CHECK_THAT(error_of("[cluster]\ninstance = \"uchet-b\"\n"),
             Catch::Contains("cluster.instance is for several uchetd on one PostgreSQL database"));
  auto sqlite_default = parse_config("[cluster]\ninstance = \"" + uchet::default_instance_name() + "\"\n", "u.toml");
  CHECK(sqlite_default);
}

TEST_CASE("on PostgreSQL the MQTT client id is made per instance unless mqtt.client_id is set") {
  const std::string pg =
      "[storage]\nbackend = \"postgresql\"\ndsn = \"postgresql:///uchet\"\n[cluster]\n"
      "instance = \"b\"\n";
  auto derived = parse_config(pg, "u.toml");
  REQUIRE(derived);
  CHECK(uchet::mqtt_client_id(*derived) == "uchetd-b");
  auto explicit_id = parse_config(pg + "[mqtt]\nclient_id = \"billing-feed\"\n", "u.toml");
  REQUIRE(explicit_id);
  CHECK(uchet::mqtt_client_id(*explicit_id) == "billing-feed");
  auto sqlite = parse_config("", "u.toml");
  REQUIRE(sqlite);
  CHECK(uchet::mqtt_client_id(*sqlite) == "uchetd");
  auto empty = parse_config("[mqtt]\nclient_id = \"\"\n", "u.toml");
  REQUIRE_FALSE(empty);
  CHECK_THAT(empty.error(), Catch::Contains("mqtt.client_id must not be empty"));
}
