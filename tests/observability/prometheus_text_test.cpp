// The Prometheus text format, by known answers; and every family uchetd serves passes promtool.
#include <catch2/catch.hpp>

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

TEST_CASE("everything uchetd serves on /metrics passes promtool check metrics") {
  DaemonFigures figures;
  figures.network.receptions = 1000;
  figures.network.uplink_bad_mic = 2;
  figures.publisher.connected = true;
  figures.publisher.backlog = 5;
  const std::string text = observability::render(metric_families(figures));
  CHECK(text.find("uchet_frames_rejected_total{reason=\"bad_mic\"} 2\n") != std::string::npos);
  auto r = test::run({"/usr/bin/promtool", "check", "metrics"}, text);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());  // no lint warnings either
}
