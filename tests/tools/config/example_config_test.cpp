#include <catch2/catch.hpp>

#include "tools/config.h"

TEST_CASE("the shipped uchet.example.toml is valid and equals the embedded defaults") {
  auto loaded = uchet::load_config(std::string(UCHET_TEST_DATA) + "/../../uchet.example.toml");
  REQUIRE(loaded);
  uchet::Config defaults;
  CHECK(loaded->storage.path == defaults.storage.path);
  CHECK(loaded->gateway_bridge.bind == defaults.gateway_bridge.bind);
  CHECK(loaded->network.region == defaults.network.region);
  CHECK(loaded->network.net_id == defaults.network.net_id);
  CHECK(loaded->network.dedup_window_ms == defaults.network.dedup_window_ms);
  CHECK(loaded->network.rx1_delay_s == defaults.network.rx1_delay_s);
  CHECK(loaded->network.installation_margin_db == defaults.network.installation_margin_db);
  CHECK(loaded->network.dev_status_interval_h == defaults.network.dev_status_interval_h);
  CHECK(loaded->network.dev_status_max_per_s == defaults.network.dev_status_max_per_s);
  CHECK(loaded->mqtt.server == defaults.mqtt.server);
  CHECK(loaded->mqtt.client_id == defaults.mqtt.client_id);
  CHECK(loaded->mqtt.keepalive_s == defaults.mqtt.keepalive_s);
  CHECK(loaded->mqtt.event_topic == defaults.mqtt.event_topic);
  CHECK(loaded->mqtt.command_topic == defaults.mqtt.command_topic);
  CHECK(loaded->http.bind == defaults.http.bind);
  CHECK(loaded->basic_station.bind == defaults.basic_station.bind);
  CHECK(loaded->basic_station.tls_cert == defaults.basic_station.tls_cert);
  CHECK(loaded->basic_station.tls_key == defaults.basic_station.tls_key);
  CHECK(loaded->basic_station.public_host == defaults.basic_station.public_host);
  CHECK(loaded->basic_station.ping_interval_s == defaults.basic_station.ping_interval_s);
  CHECK(loaded->log.level == defaults.log.level);
  CHECK(loaded->log.format == defaults.log.format);
  CHECK(loaded->storage.frame_retention_days == defaults.storage.frame_retention_days);
  CHECK(loaded->time.max_clock_offset_s == defaults.time.max_clock_offset_s);
  CHECK(loaded->time.time_zone == defaults.time.time_zone);
  CHECK(loaded->balance.alarm_threshold_pct == defaults.balance.alarm_threshold_pct);
  CHECK(loaded->balance.alarm_days == defaults.balance.alarm_days);
  CHECK(loaded->balance.publish_delay_h == defaults.balance.publish_delay_h);
  CHECK(loaded->vee.linear_max_gap_h == defaults.vee.linear_max_gap_h);
  CHECK(loaded->vee.spike_factor == defaults.vee.spike_factor);
  CHECK(loaded->vee.frozen_days == defaults.vee.frozen_days);
  CHECK(uchet::extra_channels(*loaded) == uchet::extra_channels(defaults));
}

TEST_CASE("a missing configuration file is an error, not silent defaults") {
  auto loaded = uchet::load_config("/nonexistent/uchet.toml");
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error(), Catch::Contains("cannot read"));
}
