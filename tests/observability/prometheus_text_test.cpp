// The Prometheus text format, by known answers; and every family uchetd serves passes promtool.
#include <catch2/catch.hpp>

#include "common/latency_histogram.h"
#include "observability/prometheus_text.h"
#include "tests/support/process.h"
#include "tools/uchetd/operator_view.h"

using namespace uchet;
using observability::MetricFamily;

TEST_CASE("metric families render as Prometheus text, labels escaped") {
  std::vector<MetricFamily> families;
  families.push_back(observability::counter("uchet_frames_total", "Frames processed", 12));
  families.push_back(MetricFamily{"uchet_downlinks_total",
                                  "Downlinks\nby outcome",
                                  MetricFamily::Type::counter,
                                  {{{{"outcome", "sent"}}, 3}, {{{"outcome", "a\"b\\c"}}, 0.5}}});
  families.push_back(observability::gauge("uchet_mqtt_connected", "1 while connected", 1));
  CHECK(observability::render(families) ==
        "# HELP uchet_frames_total Frames processed\n"
        "# TYPE uchet_frames_total counter\n"
        "uchet_frames_total 12\n"
        "# HELP uchet_downlinks_total Downlinks\\nby outcome\n"
        "# TYPE uchet_downlinks_total counter\n"
        "uchet_downlinks_total{outcome=\"sent\"} 3\n"
        "uchet_downlinks_total{outcome=\"a\\\"b\\\\c\"} 0.5\n"
        "# HELP uchet_mqtt_connected 1 while connected\n"
        "# TYPE uchet_mqtt_connected gauge\n"
        "uchet_mqtt_connected 1\n");
}

TEST_CASE("names the format forbids are refused when rendering, not at a scrape") {
  CHECK_THROWS(observability::render({observability::counter("uchet_frames", "a counter without _total", 1)}));
  CHECK_THROWS(observability::render({observability::gauge("9lives", "starts with a digit", 1)}));
  CHECK_THROWS(observability::render({observability::gauge("uchet-x", "a dash", 1)}));
  CHECK_THROWS(observability::render(
      {MetricFamily{"uchet_x_total", "h", MetricFamily::Type::counter, {{{{"__reserved", "v"}}, 1}}}}));
}

TEST_CASE("a histogram renders cumulative buckets ending in +Inf, then its sum and count") {
  common::LatencyHistogram h;
  h.observe(std::chrono::microseconds(300));  // <= 0.5 ms
  h.observe(std::chrono::milliseconds(3));    // <= 5 ms
  h.observe(std::chrono::seconds(20));        // above every bound
  const auto text = observability::render({observability::histogram("uchet_x_seconds", "X", h.snapshot())});
  CHECK(
      text.starts_with("# HELP uchet_x_seconds X\n# TYPE uchet_x_seconds histogram\n"
                       "uchet_x_seconds_bucket{le=\"0.0001\"} 0\n"
                       "uchet_x_seconds_bucket{le=\"0.00025\"} 0\n"
                       "uchet_x_seconds_bucket{le=\"0.0005\"} 1\n"
                       "uchet_x_seconds_bucket{le=\"0.001\"} 1\n"
                       "uchet_x_seconds_bucket{le=\"0.0025\"} 1\n"
                       "uchet_x_seconds_bucket{le=\"0.005\"} 2\n"));
  CHECK(text.find("uchet_x_seconds_bucket{le=\"10\"} 2\nuchet_x_seconds_bucket{le=\"+Inf\"} 3\n"
                  "uchet_x_seconds_sum 20.0033\nuchet_x_seconds_count 3\n") != std::string::npos);
  CHECK_THROWS(observability::render({observability::histogram("uchet_x", "not in seconds", h.snapshot())}));
}

TEST_CASE("everything uchetd serves on /metrics passes promtool check metrics") {
  DaemonFigures figures;
  figures.network.receptions = 1000;
  figures.network.uplink_bad_mic = 2;
  figures.publisher.connected = true;
  figures.publisher.backlog = 5;
  figures.database.valid = true;
  figures.database.devices = 10;
  figures.database.sessions = 7;
  figures.database.open_alarms = {{"leak", 2}, {"silent", 1}};
  figures.database.oldest_outbox_row_at = 1'800'000'000;
  figures.now = 1'800'000'042;
  figures.database.gateways = {{"0016c001ff000001", 1'800'000'030, 100, 90, 90, 5, 5},
                               {"0016c001ff000002", {}, 0, 0, 0, 0, 0}};
  figures.wal_bytes = 4096;
  netserver::scheduling::DownlinkScheduler::GatewayFigures downlinks;
  downlinks.gateway_eui = 0x0016c001ff000001;
  downlinks.counters.planned = 12;
  downlinks.counters.sent = 11;
  downlinks.counters.acknowledged = 10;
  downlinks.counters.deferred = 3;
  downlinks.counters.refused = {{"duty_cycle", 4}, {"tx_ack_TOO_LATE", 1}};
  downlinks.airtime_last_hour = {{"868.7-869.2", std::chrono::microseconds(1'250'000)}};
  figures.gateway_downlinks = {downlinks};
  common::LatencyHistogram h;
  h.observe(std::chrono::milliseconds(2));
  figures.commit_latency = figures.end_to_end_latency = figures.checkpoint_duration = h.snapshot();
  figures.relay.emplace();
  figures.relay->relayed = 4;
  figures.relay->relayed_ok = 3;
  figures.relay->held_refused_duty_cycle = 2;
  const std::string text = observability::render(metric_families(figures));
  CHECK(text.find("uchet_frames_rejected_total{reason=\"bad_mic\"} 2\n") != std::string::npos);
  CHECK(text.find("uchet_relayed_downlinks_total{stage=\"sent\"} 3\n") != std::string::npos);
  CHECK(text.find("uchet_held_relayed_downlinks_total{stage=\"refused_duty_cycle\"} 2\n") != std::string::npos);
  CHECK(text.find("uchet_outbox_oldest_row_age_seconds 42\n") != std::string::npos);
  CHECK(text.find("uchet_alarms_open{kind=\"leak\"} 2\n") != std::string::npos);
  CHECK(text.find("uchet_gateway_last_seen_timestamp_seconds{gateway_id=\"0016c001ff000001\"} 1800000030\n") !=
        std::string::npos);
  CHECK(text.find("uchet_gateway_last_seen_timestamp_seconds{gateway_id=\"0016c001ff000002\"}") == std::string::npos);
  CHECK(text.find("uchet_gateway_uplinks_total{gateway_id=\"0016c001ff000001\",stage=\"crc_ok\"} 90\n") !=
        std::string::npos);
  CHECK(text.find("uchet_gateway_downlink_scheduling_total{gateway_id=\"0016c001ff000001\",stage=\"planned\"} 12\n") !=
        std::string::npos);
  CHECK(text.find("uchet_gateway_downlink_scheduling_total{gateway_id=\"0016c001ff000001\",stage=\"deferred\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("uchet_gateway_downlinks_refused_total{gateway_id=\"0016c001ff000001\",reason=\"duty_cycle\"} 4\n") !=
        std::string::npos);
  CHECK(text.find(
            "uchet_gateway_downlinks_refused_total{gateway_id=\"0016c001ff000001\",reason=\"tx_ack_TOO_LATE\"} 1\n") !=
        std::string::npos);
  CHECK(
      text.find(
          "uchet_gateway_airtime_last_hour_seconds{gateway_id=\"0016c001ff000001\",sub_band=\"868.7-869.2\"} 1.25\n") !=
      std::string::npos);
  CHECK(text.find("uchet_commit_duration_seconds_count 1\n") != std::string::npos);
  CHECK(text.find("uchet_wal_size_bytes 4096\n") != std::string::npos);
  auto r = test::run({"/usr/bin/promtool", "check", "metrics"}, text);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());  // no lint warnings either
}
