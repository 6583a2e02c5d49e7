#pragma once
// Contract: renders metric families in the Prometheus text exposition format (version 0.0.4):
// "# HELP" and "# TYPE" lines, then one line per sample, label values escaped. Names follow
// Prometheus conventions (the caller's job: uchet_ prefix, _total on counters, base units);
// render() only checks them and throws std::invalid_argument on a name the format forbids, so
// a bad name is a failing test, not a scrape error in production. Pure.
#include <string>
#include <utility>
#include <vector>

namespace uchet::observability {

struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, value
  double value = 0;
};

struct MetricFamily {
  enum class Type { counter, gauge };
  std::string name;
  std::string help;
  Type type = Type::counter;
  std::vector<Sample> samples;
};

std::string render(const std::vector<MetricFamily>& families);

// A family with one unlabelled sample.
MetricFamily counter(std::string name, std::string help, double value);
MetricFamily gauge(std::string name, std::string help, double value);

}  // namespace uchet::observability
