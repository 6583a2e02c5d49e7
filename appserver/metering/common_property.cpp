#include "appserver/metering/common_property.h"

#include <algorithm>

namespace uchet::appserver::common_property {

std::string_view name(Basis b) {
  switch (b) {
    case Basis::HouseMeter:
      return "odn";
    case Basis::HouseMeterCapped:
      return "odn_capped";
    case Basis::Negative:
      return "odn_negative";
    case Basis::Norm:
      return "odn_norm";
  }
  return "odn";
}

std::expected<Allocation, std::string> allocate(const Input& input) {
  Allocation a;
  double used = 0;
  for (const auto& p : input.premises) {
    if (!p.area_m2 || *p.area_m2 <= 0) return std::unexpected("premise " + p.number + " has no area");
    if (!p.volume) return std::unexpected("premise " + p.number + " has no billed volume");
    a.total_area_m2 += *p.area_m2;
    used += *p.volume;
  }
  if (input.premises.empty()) return std::unexpected(std::string("the object has no premises"));
  if (input.norm_per_m2 && input.common_area_m2) a.cap = *input.norm_per_m2 * *input.common_area_m2;

  if (!input.house_volume) {
    if (!a.cap) return std::unexpected(std::string("no house meter value and no common-property norm and area"));
    a.basis = Basis::Norm;
    a.distributed = *a.cap;
  } else {
    a.difference = *input.house_volume - used;
    if (*a.difference < 0) {
      a.basis = Basis::Negative;
      a.distributed = 0;
    } else if (input.owners_above_norm) {
      a.distributed = *a.difference;
    } else {
      if (!a.cap)
        return std::unexpected(
            std::string("the cap needs the common-property norm and area (or the owners' decision to go above it)"));
      a.distributed = std::min(*a.difference, *a.cap);
      if (*a.difference > *a.cap) a.basis = Basis::HouseMeterCapped;
    }
  }
  for (const auto& p : input.premises) a.shares.push_back(a.distributed * *p.area_m2 / a.total_area_m2);
  return a;
}

}  // namespace uchet::appserver::common_property
