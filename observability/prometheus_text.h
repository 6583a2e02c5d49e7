#pragma once
// Contract: renders metric families in the Prometheus text exposition format (version 0.0.4):
// "# HELP" and "# TYPE" lines, then one line per sample, label values escaped. Names follow
// Prometheus conventions (the caller's job: uchet_ prefix, _total on counters, base units);
// render() only checks them and throws std::invalid_argument on a name the format forbids, so
// a bad name is a failing test, not a scrape error in production. Histograms are rendered with
// their _bucket (le label, cumulative, ending in +Inf), _sum and _count series. Pure.
#include <string>
#include <utility>
#include <vector>

#include "common/latency_histogram.h"

namespace uchet::observability {

struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, value
  double value = 0;
  // Appended to the family's name: "_bucket", "_sum" or "_count" for a histogram's series.
  std::string suffix;
};

struct MetricFamily {
  enum class Type { counter, gauge, histogram };
  std::string name;
  std::string help;
  Type type = Type::counter;
  std::vector<Sample> samples;
};

std::string render(const std::vector<MetricFamily>& families);

// A family with one unlabelled sample.
MetricFamily counter(std::string name, std::string help, double value);
MetricFamily gauge(std::string name, std::string help, double value);
// A histogram family of durations in seconds (the name ends in _seconds).
MetricFamily histogram(std::string name, std::string help, const common::LatencyHistogram::Snapshot& snapshot);

}  // namespace uchet::observability
