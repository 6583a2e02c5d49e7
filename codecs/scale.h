// Contract: multiply a raw register by a unit factor with the least rounding noise.
// Factors below 1 are usually exact powers of ten (1e-3, 1e-6) that have no exact binary
// form; dividing by the exact reciprocal instead makes 123456 l come out as 123.456 m3, not
// 123.45600000000002. Other factors are applied as they are.
#pragma once

#include <cmath>

namespace uchet::codecs {

// 10^e as a double, for unit tables (e within +-12 in practice).
constexpr double decimal_factor(int e) {
  double v = 1.0;
  for (int i = 0; i < e; ++i) v *= 10.0;
  for (int i = 0; i > e; --i) v /= 10.0;
  return v;
}

inline double scale_value(double raw, double factor) {
  if (factor > 0.0 && factor < 1.0) {
    const double inverse = std::round(1.0 / factor);
    if (std::fabs(inverse * factor - 1.0) < 1e-12) return raw / inverse;
  }
  return raw * factor;
}

}  // namespace uchet::codecs
