#pragma once
// The common-property share (ОДН: коммунальные ресурсы на содержание общего имущества) of one
// object and resource for one billing month, per Decree 354 items 44-48 and Appendix 2 (the
// formula numbers are not quoted: they were not checked against the consolidated text; see
// docs/billing-and-fleet.md). Pure: volumes and areas in, the allocation out. Called by uchetctl
// (export billing, billing odn).
//
//   difference  V = V_house − Σ V_premise: the house meter's volume less what every residential
//               and non-residential premise is billed for, by meter, average, norm or calculation
//   negative    V < 0: nothing is distributed (the share is 0 for every premise) and the
//               negative difference is reported, not subtracted from the premises' own bills
//   cap         item 44: at most N × S_common (the common-property norm per m² times the area of
//               the common property), unless the owners decided to distribute the excess; the
//               excess over the cap stays with the managing organisation
//   no house    without a house-meter value (no meter, or item 59(1)'s average used up) the
//   value       share is the norm: N × S_common
//   share       premise i gets distributed × S_i / Σ S: by area, over the areas of all
//               residential and non-residential premises
//
// Missing inputs are errors with a reason, never guessed: a premise without an area or without
// a billed volume, a cap needed without a norm or common area.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uchet::appserver::common_property {

struct PremiseUse {
  std::string number;             // for messages
  std::optional<double> area_m2;  // S_i
  std::optional<double> volume;   // V_i: what the premise is billed for its own use this month
};

struct Input {
  std::optional<double> house_volume;    // V_house, absent when the house meter gives none
  std::vector<PremiseUse> premises;      // every premise of the object, residential or not
  std::optional<double> common_area_m2;  // S_common
  std::optional<double> norm_per_m2;     // N, per m² of common property per month
  bool owners_above_norm = false;        // the owners' general meeting decided to distribute the excess
};

enum class Basis { HouseMeter, HouseMeterCapped, Negative, Norm };
std::string_view name(Basis b);  // "odn", "odn_capped", "odn_negative", "odn_norm"

struct Allocation {
  Basis basis = Basis::HouseMeter;
  std::optional<double> difference;  // V (absent with Basis::Norm)
  std::optional<double> cap;         // N × S_common when known
  double distributed = 0;            // what the premises share
  double total_area_m2 = 0;          // Σ S_i
  std::vector<double> shares;        // per premise, in the order of Input::premises
};

std::expected<Allocation, std::string> allocate(const Input& input);

}  // namespace uchet::appserver::common_property
