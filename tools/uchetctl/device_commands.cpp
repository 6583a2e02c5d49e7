#include <fstream>
#include <memory>
#include <sstream>

#include "codecs/codec.h"
#include "schema/applications.h"
#include "schema/downlink_queue.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/device_import.h"
#include "tools/uchetctl/device_spec.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

std::string key_or_hidden(const std::optional<lorawan::Key>& key, bool show) {
  if (!key) return "";
  return show ? lorawan::key_to_string(*key) : "(hidden, use --show-keys)";
}

nlohmann::json to_json(const schema::Device& d, const std::optional<lorawan::DevAddr>& dev_addr, bool show_keys) {
  nlohmann::json j = {{"devEui", lorawan::eui64_to_string(d.dev_eui)},
                      {"application", d.application},
                      {"name", d.name},
                      {"serial", d.serial},
                      {"codec", d.codec},
                      {"macVersion", d.mac_version},
                      {"class", std::string(1, d.device_class)},
                      {"activation", d.abp ? "abp" : "otaa"},
                      {"devAddr", dev_addr ? nlohmann::json(lorawan::dev_addr_to_string(*dev_addr)) : nlohmann::json()},
                      {"createdAt", format_time(d.created_at)}};
  if (d.join_eui) j["joinEui"] = lorawan::eui64_to_string(*d.join_eui);
  if (d.abp) j["fCntPolicy"] = d.fcnt_policy;
  if (show_keys) {
    if (d.app_key) j["appKey"] = lorawan::key_to_string(*d.app_key);
    if (d.nwk_key) j["nwkKey"] = lorawan::key_to_string(*d.nwk_key);
  }
  return j;
}

schema::Device existing_device(schema::Database& db, const std::string& dev_eui_text) {
  auto eui = eui_arg(dev_eui_text, "DevEUI");
  auto d = schema::find_device(db, eui);
  if (!d) throw UsageError("no device " + lorawan::eui64_to_string(eui));
  return *d;
}

void add_spec_options(CLI::App* cmd, DeviceSpec& s) {
  cmd->add_option("DEV_EUI", s.dev_eui, "DevEUI, 16 hex digits")->required();
  cmd->add_option("--app", s.app, "application name")->required();
  cmd->add_option("--join-eui", s.join_eui, "OTAA: JoinEUI (AppEUI), 16 hex digits");
  cmd->add_option("--app-key", s.app_key, "OTAA: AppKey, 32 hex digits");
  cmd->add_option("--nwk-key", s.nwk_key, "OTAA, LoRaWAN 1.1: NwkKey, 32 hex digits");
  cmd->add_flag("--abp", s.abp, "activation by personalisation");
  cmd->add_option("--dev-addr", s.dev_addr, "ABP: DevAddr, 8 hex digits");
  cmd->add_option("--nwk-s-key", s.nwk_s_key, "ABP: NwkSKey, 32 hex digits");
  cmd->add_option("--app-s-key", s.app_s_key, "ABP: AppSKey, 32 hex digits");
  cmd->add_option("--fcnt-policy", s.fcnt_policy, "ABP: strict (default) or reset-allowed");
  cmd->add_option("--mac-version", s.mac_version, "1.0.2, 1.0.3 (default), 1.0.4 or 1.1");
  cmd->add_option("--class", s.device_class, "A (default) or C");
  cmd->add_option("--codec", s.codec, "payload codec, e.g. karat-926lw");
  cmd->add_option("--name", s.name, "device name");
  cmd->add_option("--serial", s.serial, "meter serial number");
}

}  // namespace

void add_device_commands(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("device", "manage devices");
  group->require_subcommand(1);

  auto spec = std::make_shared<DeviceSpec>();
  auto* add = group->add_subcommand("add", "provision a device (OTAA by default, or --abp)");
  add_spec_options(add, *spec);
  add->callback([&selected, spec] {
    selected = [spec](Context& ctx) {
      auto valid = validate_device(ctx.db, *spec);
      schema::insert_device(ctx.db, valid.device, valid.abp);
      auto stored = *schema::find_device(ctx.db, valid.device.dev_eui);
      ctx.output.done("added device " + lorawan::eui64_to_string(stored.dev_eui),
                      to_json(stored, schema::session_dev_addr(ctx.db, stored.dev_eui), false));
    };
  });

  auto list_app = std::make_shared<std::string>();
  auto* list = group->add_subcommand("list", "list devices");
  list->add_option("--app", *list_app, "only this application's devices");
  list->callback([&selected, list_app] {
    selected = [list_app](Context& ctx) {
      std::optional<std::int64_t> app_id;
      if (!list_app->empty()) {
        auto a = schema::find_application(ctx.db, *list_app);
        if (!a) throw UsageError("no application '" + *list_app + "'");
        app_id = a->id;
      }
      Table t{{"DEV EUI", "APPLICATION", "NAME", "SERIAL", "CODEC", "MAC", "CLASS", "ACTIVATION", "DEV ADDR"}, {}};
      auto j = nlohmann::json::array();
      for (const auto& d : schema::list_devices(ctx.db, app_id)) {
        auto addr = schema::session_dev_addr(ctx.db, d.dev_eui);
        t.rows.push_back({lorawan::eui64_to_string(d.dev_eui), d.application, d.name, d.serial, d.codec, d.mac_version,
                          std::string(1, d.device_class), d.abp ? "abp" : "otaa",
                          addr ? lorawan::dev_addr_to_string(*addr) : "-"});
        j.push_back(to_json(d, addr, false));
      }
      ctx.output.table(t, j);
    };
  });

  struct ShowArgs {
    std::string dev_eui;
    bool show_keys = false;
  };
  auto show_args = std::make_shared<ShowArgs>();
  auto* show = group->add_subcommand("show", "show one device");
  show->add_option("DEV_EUI", show_args->dev_eui, "DevEUI")->required();
  show->add_flag("--show-keys", show_args->show_keys, "include root keys in the output");
  show->callback([&selected, show_args] {
    selected = [show_args](Context& ctx) {
      auto d = existing_device(ctx.db, show_args->dev_eui);
      auto addr = schema::session_dev_addr(ctx.db, d.dev_eui);
      std::vector<std::pair<std::string, std::string>> f = {
          {"DevEUI", lorawan::eui64_to_string(d.dev_eui)},
          {"application", d.application},
          {"name", d.name},
          {"serial", d.serial},
          {"codec", d.codec.empty() ? "(none)" : d.codec},
          {"LoRaWAN version", d.mac_version},
          {"class", std::string(1, d.device_class)},
          {"activation", d.abp ? "ABP" : "OTAA"},
          {"DevAddr", addr ? lorawan::dev_addr_to_string(*addr) : "(not joined)"},
          {"created", format_time(d.created_at)}};
      if (d.join_eui) f.push_back({"JoinEUI", lorawan::eui64_to_string(*d.join_eui)});
      if (d.app_key) f.push_back({"AppKey", key_or_hidden(d.app_key, show_args->show_keys)});
      if (d.nwk_key) f.push_back({"NwkKey", key_or_hidden(d.nwk_key, show_args->show_keys)});
      if (d.abp) f.push_back({"FCnt policy", d.fcnt_policy});
      ctx.output.fields(f, to_json(d, addr, show_args->show_keys));
    };
  });

  auto remove_eui = std::make_shared<std::string>();
  auto* remove = group->add_subcommand("remove", "remove a device and its session and queue");
  remove->add_option("DEV_EUI", *remove_eui, "DevEUI")->required();
  remove->callback([&selected, remove_eui] {
    selected = [remove_eui](Context& ctx) {
      auto d = existing_device(ctx.db, *remove_eui);
      schema::delete_device(ctx.db, d.dev_eui);
      ctx.output.done("removed device " + lorawan::eui64_to_string(d.dev_eui),
                      {{"removed", lorawan::eui64_to_string(d.dev_eui)}});
    };
  });

  struct SetArgs {
    std::string dev_eui;
    std::optional<std::string> codec;
  };
  auto set_args = std::make_shared<SetArgs>();
  auto* set = group->add_subcommand("set", "change a device's settings");
  set->add_option("DEV_EUI", set_args->dev_eui, "DevEUI")->required();
  set->add_option("--codec", set_args->codec, "payload codec (empty string: none)");
  set->callback([&selected, set_args] {
    selected = [set_args](Context& ctx) {
      auto d = existing_device(ctx.db, set_args->dev_eui);
      if (!set_args->codec) throw UsageError("nothing to set: give --codec");
      if (!set_args->codec->empty() && !codecs::is_known_codec(*set_args->codec)) {
        throw UsageError("unknown codec '" + *set_args->codec + "'");
      }
      schema::set_device_codec(ctx.db, d.dev_eui, *set_args->codec);
      d.codec = *set_args->codec;
      ctx.output.done("device " + lorawan::eui64_to_string(d.dev_eui) + " codec set to '" + d.codec + "'",
                      to_json(d, schema::session_dev_addr(ctx.db, d.dev_eui), false));
    };
  });

  struct EnqueueArgs {
    std::string dev_eui, hex, base64, expires_in;
    int f_port = 0;
    bool confirmed = false;
  };
  auto enqueue_args = std::make_shared<EnqueueArgs>();
  auto* enqueue = group->add_subcommand("enqueue", "queue a downlink for the device's next receive window");
  enqueue->add_option("DEV_EUI", enqueue_args->dev_eui, "DevEUI")->required();
  enqueue->add_option("--fport", enqueue_args->f_port, "FPort, 1-223")->required();
  auto* hex = enqueue->add_option("--hex", enqueue_args->hex, "payload as hex");
  auto* b64 = enqueue->add_option("--base64", enqueue_args->base64, "payload as Base64");
  hex->excludes(b64);
  enqueue->add_flag("--confirmed", enqueue_args->confirmed,
                    "ask the device to acknowledge; retried until it does or expires");
  enqueue->add_option("--expires-in", enqueue_args->expires_in, "drop it if not delivered within e.g. 30m, 2h, 7d");
  enqueue->callback([&selected, enqueue_args] {
    selected = [enqueue_args](Context& ctx) {
      auto d = existing_device(ctx.db, enqueue_args->dev_eui);
      const auto& a = *enqueue_args;
      if (a.hex.empty() == a.base64.empty()) throw UsageError("give the payload with exactly one of --hex or --base64");
      auto data = a.hex.empty() ? lorawan::parse_base64(a.base64) : lorawan::parse_hex(a.hex);
      if (!data) throw UsageError((a.hex.empty() ? "--base64: " : "--hex: ") + data.error());
      if (auto ok = schema::check_downlink(a.f_port, data->size()); !ok) throw UsageError(ok.error());
      schema::QueueItem item;
      item.dev_eui = d.dev_eui;
      item.f_port = static_cast<std::uint8_t>(a.f_port);
      item.data = *data;
      item.confirmed = a.confirmed;
      if (!a.expires_in.empty()) item.expires_at = schema::unix_now() + duration_arg(a.expires_in, "--expires-in");
      auto id = schema::enqueue_downlink(ctx.db, item);
      nlohmann::json j = {{"queueItemId", std::to_string(id)},
                          {"devEui", lorawan::eui64_to_string(d.dev_eui)},
                          {"fPort", a.f_port},
                          {"confirmed", a.confirmed},
                          {"data", lorawan::to_base64(*data)}};
      if (item.expires_at) j["expiresAt"] = format_time(*item.expires_at);
      ctx.output.done("queued downlink " + std::to_string(id) + " for " + lorawan::eui64_to_string(d.dev_eui), j);
    };
  });

  auto import_file = std::make_shared<std::string>();
  auto* import = group->add_subcommand("import", "provision devices from a manufacturer's CSV list (all rows or none)");
  import->add_option("FILE", *import_file, "CSV with header dev_eui,join_eui,app_key,codec,serial,name,app")
      ->required();
  import->callback([&selected, import_file] {
    selected = [import_file](Context& ctx) {
      std::ifstream in(*import_file, std::ios::binary);
  if (!in) throw UsageError("cannot read " + *import_file);
  std::ostringstream text;
  text << in.rdbuf();
  auto count = import_devices(ctx.db, text.str());
  ctx.output.done("imported " + std::to_string(count) + " device(s) from " + *import_file, {{"imported", count}});
};
}  // namespace uchet::cli
);
}

}  // namespace uchet::cli
