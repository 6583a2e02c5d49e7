#include "tools/uchetctl/device_import.h"

#include <algorithm>
#include <map>
#include <set>

#include "netserver/lorawan/encoding.h"
#include "tools/uchetctl/csv.h"
#include "tools/uchetctl/device_spec.h"
#include "tools/uchetctl/output.h"

namespace uchet::cli {

int import_devices(schema::Database& db, std::string_view csv_text) {
  auto records = parse_csv(csv_text);
  if (!records) throw UsageError("not a CSV file: " + records.error());
  if (records->empty()) throw UsageError("the CSV file is empty (a header row is required)");

  std::map<std::string, std::size_t> column;
  const auto& header = records->front();
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = header.fields[i];
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!column.emplace(name, i).second) throw UsageError("line 1: column '" + name + "' appears twice");
  }
  for (const char* required : {"dev_eui", "join_eui", "app_key", "codec", "serial", "name", "app"}) {
    if (!column.count(required)) throw UsageError(std::string("line 1: the header has no '") + required + "' column");
  }

  std::vector<std::string> errors;
  std::vector<ValidDevice> valid;
  std::set<lorawan::Eui64> seen;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    auto field = [&](const char* name) -> std::string {
      auto it = column.find(name);
      if (it == column.end() || it->second >= rec.fields.size()) return "";
      return rec.fields[it->second];
    };
    if (rec.fields.size() != header.fields.size()) {
      errors.push_back("line " + std::to_string(rec.line) + ": " + std::to_string(rec.fields.size()) +
                       " fields, the header has " + std::to_string(header.fields.size()));
      continue;
    }
    DeviceSpec spec;
    spec.dev_eui = field("dev_eui");
    spec.join_eui = field("join_eui");
    spec.app_key = field("app_key");
    spec.nwk_key = field("nwk_key");
    spec.codec = field("codec");
    spec.serial = field("serial");
    spec.name = field("name");
    spec.app = field("app");
    // An ABP row has its session in the file instead of join_eui/app_key (left empty); a row
    // with any of the session's columns is one, and is then checked as `device add --abp` is.
    spec.dev_addr = field("dev_addr");
    spec.nwk_s_key = field("nwk_s_key");
    spec.app_s_key = field("app_s_key");
    spec.fcnt_policy = field("fcnt_policy");
    spec.abp = !spec.dev_addr.empty() || !spec.nwk_s_key.empty() || !spec.app_s_key.empty();
    if (auto v = field("mac_version"); !v.empty()) spec.mac_version = v;
    if (auto v = field("class"); !v.empty()) spec.device_class = v;
    try {
      auto device = validate_device(db, spec);
      if (!seen.insert(device.device.dev_eui).second) {
        throw UsageError("device " + lorawan::eui64_to_string(device.device.dev_eui) + " appears twice in the file");
      }
      valid.push_back(std::move(device));
    } catch (const UsageError& e) {
      errors.push_back("line " + std::to_string(rec.line) + ": " + e.what());
    }
  }
  if (!errors.empty()) {
    std::string message = std::to_string(errors.size()) + " bad row(s), nothing imported:";
    for (const auto& e : errors) message += "\n  " + e;
    throw UsageError(message);
  }
  for (const auto& d : valid) schema::insert_device(db, d.device, d.abp);
  return static_cast<int>(valid.size());
}

}  // namespace uchet::cli
