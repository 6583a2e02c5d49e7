#include "observability/prometheus_text.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace uchet::observability {
namespace {

bool valid_name(const std::string& name, bool label) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && (label || c != ':')) return false;
  }
  return !(label && name.starts_with("__"));
}

void escape_into(std::string& out, const std::string& text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);
}

}  // namespace

std::string render(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) {
    if (!valid_name(f.name, false)) throw std::invalid_argument("not a Prometheus metric name: " + f.name);
    if (f.type == MetricFamily::Type::counter && !f.name.ends_with("_total")) {
      throw std::invalid_argument("a counter's name ends in _total: " + f.name);
    }
    out += "# HELP " + f.name + " ";
    escape_into(out, f.help, false);
    if (f.type == MetricFamily::Type::histogram && !f.name.ends_with("_seconds")) {
      throw std::invalid_argument("a histogram of durations is in seconds: " + f.name);
    }
    out += "\n# TYPE " + f.name;
    out += f.type == MetricFamily::Type::counter ? " counter\n"
           : f.type == MetricFamily::Type::gauge ? " gauge\n"
                                                 : " histogram\n";
    for (const auto& s : f.samples) {
      out += f.name + s.suffix;
      if (!s.labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < s.labels.size(); ++i) {
          if (!valid_name(s.labels[i].first, true))
            throw std::invalid_argument("not a label name: " + s.labels[i].first);
          if (i > 0) out += ',';
          out += s.labels[i].first + "=\"";
          escape_into(out, s.labels[i].second, true);
          out += '"';
        }
        out += '}';
      }
      out += ' ' + number(s.value) + '\n';
    }
  }
  return out;
}

MetricFamily counter(std::string name, std::string help, double value) {
  return MetricFamily{std::move(name), std::move(help), MetricFamily::Type::counter, {Sample{{}, value}}};
}

MetricFamily gauge(std::string name, std::string help, double value) {
  return MetricFamily{std::move(name), std::move(help), MetricFamily::Type::gauge, {Sample{{}, value}}};
}

MetricFamily histogram(std::string name, std::string help, const common::LatencyHistogram::Snapshot& snapshot) {
  MetricFamily f{std::move(name), std::move(help), MetricFamily::Type::histogram, {}};
  const auto& bounds = common::LatencyHistogram::kBounds;
  for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
    const std::string le = i < bounds.size() ? number(bounds[i]) : "+Inf";
    f.samples.push_back(Sample{{{"le", le}}, static_cast<double>(snapshot.cumulative[i]), "_bucket"});
  }
  f.samples.push_back(Sample{{}, snapshot.sum_s, "_sum"});
  f.samples.push_back(Sample{{}, static_cast<double>(snapshot.count), "_count"});
  return f;
}

}  // namespace uchet::observability
