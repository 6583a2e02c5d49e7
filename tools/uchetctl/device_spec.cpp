#include "tools/uchetctl/device_spec.h"

#include <algorithm>

#include "codecs/codec.h"
#include "schema/applications.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

void require(bool present, const std::string& flag, const std::string& why) {
  if (!present) throw UsageError(flag + " is required " + why);
}

void refuse(bool present, const std::string& flag, const std::string& why) {
  if (present) throw UsageError(flag + " " + why);
}

}  // namespace

ValidDevice validate_device(schema::Database& db, const DeviceSpec& spec) {
  ValidDevice out;
  auto& d = out.device;
  d.dev_eui = eui_arg(spec.dev_eui, "DevEUI");

  static const char* kVersions[] = {"1.0.2", "1.0.3", "1.0.4", "1.1"};
  if (std::find_if(std::begin(kVersions), std::end(kVersions), [&](const char* v) { return spec.mac_version == v; }) ==
      std::end(kVersions)) {
    throw UsageError("--mac-version must be 1.0.2, 1.0.3, 1.0.4 or 1.1, got '" + spec.mac_version + "'");
  }
  d.mac_version = spec.mac_version;
  if (spec.device_class != "A" && spec.device_class != "C" && spec.device_class != "a" && spec.device_class != "c") {
    throw UsageError("--class must be A or C, got '" + spec.device_class + "'");
  }
  d.device_class = static_cast<char>(std::toupper(static_cast<unsigned char>(spec.device_class[0])));
  if (!spec.codec.empty() && !codecs::is_known_codec(spec.codec)) {
    std::string known;
    for (const auto& name : codecs::known_codecs()) known += (known.empty() ? "" : ", ") + std::string(name);
    throw UsageError("unknown codec '" + spec.codec + "' (known: " + known + ")");
  }
  d.codec = spec.codec;
  d.name = spec.name;
  d.serial = spec.serial;

  if (spec.abp) {
    refuse(!spec.join_eui.empty(), "--join-eui", "is for OTAA devices, not with --abp");
    refuse(!spec.app_key.empty(), "--app-key", "is for OTAA devices, not with --abp");
    refuse(!spec.nwk_key.empty(), "--nwk-key", "is for OTAA devices, not with --abp");
    require(!spec.dev_addr.empty(), "--dev-addr", "for an ABP device");
    require(!spec.nwk_s_key.empty(), "--nwk-s-key", "for an ABP device");
    require(!spec.app_s_key.empty(), "--app-s-key", "for an ABP device");
    d.abp = true;
    schema::AbpSession session;
    session.dev_addr = dev_addr_arg(spec.dev_addr, "--dev-addr");
    session.nwk_s_key = key_arg(spec.nwk_s_key, "--nwk-s-key");
    session.app_s_key = key_arg(spec.app_s_key, "--app-s-key");
    out.abp = session;
    std::string policy = spec.fcnt_policy.empty() ? "strict" : spec.fcnt_policy;
    if (policy != "strict" && policy != "reset-allowed") {
      throw UsageError("--fcnt-policy must be strict or reset-allowed, got '" + policy + "'");
    }
    d.fcnt_policy = policy;
  } else {
    refuse(!spec.dev_addr.empty(), "--dev-addr", "needs --abp");
    refuse(!spec.nwk_s_key.empty(), "--nwk-s-key", "needs --abp");
    refuse(!spec.app_s_key.empty(), "--app-s-key", "needs --abp");
    refuse(!spec.fcnt_policy.empty(), "--fcnt-policy", "applies to ABP devices only");
    require(!spec.join_eui.empty(), "--join-eui", "for an OTAA device (or use --abp)");
    require(!spec.app_key.empty(), "--app-key", "for an OTAA device (or use --abp)");
    d.join_eui = eui_arg(spec.join_eui, "JoinEUI");
    d.app_key = key_arg(spec.app_key, "AppKey");
    if (d.mac_version == "1.1") {
      require(!spec.nwk_key.empty(), "--nwk-key", "for a LoRaWAN 1.1 OTAA device");
      d.nwk_key = key_arg(spec.nwk_key, "NwkKey");
    } else {
      refuse(!spec.nwk_key.empty(), "--nwk-key",
             "applies to LoRaWAN 1.1 devices only (this one is " + d.mac_version + ")");
    }
  }

  validate_name(spec.app, "application");
  auto app = schema::find_application(db, spec.app);
  if (!app)
    throw UsageError("no application '" + spec.app + "' (add it with: uchetctl application add " + spec.app + ")");
  d.application_id = app->id;
  d.application = app->name;
  if (schema::find_device(db, d.dev_eui)) {
    throw UsageError("device " + lorawan::eui64_to_string(d.dev_eui) + " already exists");
  }
  return out;
}

}  // namespace uchet::cli
