#include "schema/devices.h"
#include "schema/key_encryption.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

constexpr const char* kSelect =
    "SELECT d.dev_eui, d.application_id, a.name, d.name, d.serial, d.codec, d.mac_version, d.device_class, "
    "d.activation, d.join_eui, d.app_key, d.nwk_key, d.fcnt_policy, d.created_at, a.uuid "
    "FROM device d JOIN application a ON a.id = d.application_id ";

std::optional<lorawan::Key> optional_key(Database& db, const Statement& q, int column) {
  auto text = q.optional_text(column);
  if (!text) return std::nullopt;
  return key_from_column(db, *text, "the device table");
}

Device read_device(Database& db, const Statement& q) {
  Device d;
  d.dev_eui = lorawan::parse_eui64(q.text(0)).value_or(0);
  d.application_id = q.int64(1);
  d.application = q.text(2);
  d.application_uuid = q.text(14);
  d.name = q.text(3);
  d.serial = q.text(4);
  d.codec = q.text(5);
  d.mac_version = q.text(6);
  d.device_class = q.text(7).empty() ? 'A' : q.text(7)[0];
  d.abp = q.text(8) == "abp";
  if (auto join_eui = q.optional_text(9)) d.join_eui = lorawan::parse_eui64(*join_eui).value_or(0);
  d.app_key = optional_key(db, q, 10);
  d.nwk_key = optional_key(db, q, 11);
  d.fcnt_policy = q.text(12);
  d.created_at = q.int64(13);
  d.application_uuid = q.optional_text(14).value_or("");
  return d;
}

std::optional<std::string> key_text(Database& db, const std::optional<lorawan::Key>& key) {
  if (!key) return std::nullopt;
  return key_column_text(db, *key);
}

}  // namespace

std::optional<Device> find_device(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db, std::string(kSelect) + "WHERE d.dev_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  return read_device(db, q);
}

std::vector<Device> list_devices(Database& db, std::optional<std::int64_t> application_id) {
  Statement q(db,
              std::string(kSelect) + "WHERE (CAST(? AS BIGINT) IS NULL OR d.application_id = ?) ORDER BY d.dev_eui");
  q.bind(1, application_id).bind(2, application_id);
  std::vector<Device> out;
  while (q.step()) out.push_back(read_device(db, q));
  return out;
}

void insert_device(Database& db, const Device& d, const std::optional<AbpSession>& abp) {
  const auto dev_eui = lorawan::eui64_to_string(d.dev_eui);
  std::optional<std::string> join_eui;
  if (d.join_eui) join_eui = lorawan::eui64_to_string(*d.join_eui);
  Statement(db,
            "INSERT INTO device (dev_eui, application_id, name, serial, codec, mac_version, device_class, activation, "
            "join_eui, app_key, nwk_key, fcnt_policy, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, dev_eui)
      .bind(2, d.application_id)
      .bind(3, d.name)
      .bind(4, d.serial)
      .bind(5, d.codec)
      .bind(6, d.mac_version)
      .bind(7, std::string(1, d.device_class))
      .bind(8, d.abp ? "abp" : "otaa")
      .bind(9, join_eui)
      .bind(10, key_text(db, d.app_key))
      .bind(11, key_text(db, d.nwk_key))
      .bind(12, d.fcnt_policy)
      .bind(13, unix_now())
      .run();
  if (abp) {
    const auto nwk = key_column_text(db, abp->nwk_s_key);
    Statement(db,
              "INSERT INTO device_session (dev_eui, dev_addr, mac_version, f_nwk_s_int_key, s_nwk_s_int_key, "
              "nwk_s_enc_key, app_s_key, created_at) VALUES (?,?,?,?,?,?,?,?)")
        .bind(1, dev_eui)
        .bind(2, lorawan::dev_addr_to_string(abp->dev_addr))
        .bind(3, d.mac_version)
        .bind(4, nwk)
        .bind(5, nwk)
        .bind(6, nwk)
        .bind(7, key_column_text(db, abp->app_s_key))
        .bind(8, unix_now())
        .run();
  }
}

void delete_device(Database& db, lorawan::Eui64 dev_eui) {
  Statement(db, "DELETE FROM device WHERE dev_eui = ?").bind(1, lorawan::eui64_to_string(dev_eui)).run();
}

void set_device_codec(Database& db, lorawan::Eui64 dev_eui, const std::string& codec) {
  Statement(db, "UPDATE device SET codec = ? WHERE dev_eui = ?")
      .bind(1, codec)
      .bind(2, lorawan::eui64_to_string(dev_eui))
      .run();
}

std::optional<lorawan::DevAddr> session_dev_addr(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db, "SELECT dev_addr FROM device_session WHERE dev_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  auto addr = lorawan::parse_dev_addr(q.text(0));
  if (!addr) return std::nullopt;
  return *addr;
}

std::optional<std::int64_t> registry_version(Database& db) {
  Statement q(db, "SELECT version FROM registry_version WHERE id = 1");
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

std::int64_t count_devices(Database& db) {
  Statement q(db, "SELECT COUNT(*) FROM device");
  q.step();
  return q.int64(0);
}

}  // namespace uchet::schema
