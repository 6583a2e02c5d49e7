#include "schema/sessions.h"
#include "schema/key_encryption.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

constexpr const char* kSelect =
    "SELECT dev_eui, dev_addr, mac_version, f_nwk_s_int_key, s_nwk_s_int_key, nwk_s_enc_key, app_s_key, f_cnt_up, "
    "n_f_cnt_down, a_f_cnt_down, rx1_delay, rx1_dr_offset, rx2_dr, rx2_frequency, dr, tx_power_index, nb_trans, "
    "mac_state, created_at, last_uplink_at, generation FROM device_session ";

lorawan::Key key_column(Database& db, const Statement& q, int column) {
  return key_from_column(db, q.text(column), "device_session");
}

DeviceSession read_session(Database& db, const Statement& q) {
  DeviceSession s;
  s.dev_eui = lorawan::parse_eui64(q.text(0)).value_or(0);
  s.dev_addr = lorawan::parse_dev_addr(q.text(1)).value_or(0);
  s.mac_version = q.text(2);
  s.keys.f_nwk_s_int_key = key_column(db, q, 3);
  s.keys.s_nwk_s_int_key = key_column(db, q, 4);
  s.keys.nwk_s_enc_key = key_column(db, q, 5);
  s.keys.app_s_key = key_column(db, q, 6);
  s.f_cnt_up = static_cast<std::uint32_t>(q.int64(7));
  s.n_f_cnt_down = static_cast<std::uint32_t>(q.int64(8));
  s.a_f_cnt_down = static_cast<std::uint32_t>(q.int64(9));
  s.rx1_delay = static_cast<int>(q.int64(10));
  s.rx1_dr_offset = static_cast<int>(q.int64(11));
  if (auto v = q.optional_int64(12)) s.rx2_dr = static_cast<int>(*v);
  if (auto v = q.optional_int64(13)) s.rx2_frequency = static_cast<std::uint32_t>(*v);
  s.dr = static_cast<int>(q.int64(14));
  s.tx_power_index = static_cast<int>(q.int64(15));
  s.nb_trans = static_cast<int>(q.int64(16));
  s.mac_state = q.text(17);
  s.created_at = q.int64(18);
  s.last_uplink_at = q.optional_int64(19);
  s.generation = q.int64(20);
  return s;
}

}  // namespace

std::vector<DeviceSession> load_sessions(Database& db) {
  Statement q(db, kSelect);
  std::vector<DeviceSession> out;
  while (q.step()) out.push_back(read_session(db, q));
  return out;
}

std::vector<DeviceSession> load_sessions_for(Database& db, lorawan::DevAddr dev_addr) {
  Statement q(db, std::string(kSelect) + "WHERE dev_addr = ? ORDER BY dev_eui");
  q.bind(1, lorawan::dev_addr_to_string(dev_addr));
  std::vector<DeviceSession> out;
  while (q.step()) out.push_back(read_session(db, q));
  return out;
}

std::optional<DeviceSession> find_session(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db, std::string(kSelect) + "WHERE dev_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  return read_session(db, q);
}

std::optional<DeviceSession> find_session_for_update(Database& db, lorawan::Eui64 dev_eui) {
  if (db.dialect() == Dialect::sqlite) return find_session(db, dev_eui);
  Statement q(db, std::string(kSelect) + "WHERE dev_eui = ? FOR UPDATE");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  auto session = read_session(db, q);
  while (q.step()) {}
  return session;
}

namespace {

// The columns an uplink or downlink may change, f_cnt_up .. mac_state, bound from index `at` on
// in the order both statements below list them.
void bind_session_state(Statement& q, const DeviceSession& s, int at) {
  std::optional<std::int64_t> rx2_dr, rx2_frequency;
  if (s.rx2_dr) rx2_dr = *s.rx2_dr;
  if (s.rx2_frequency) rx2_frequency = *s.rx2_frequency;
  q.bind(at, static_cast<std::int64_t>(s.f_cnt_up))
      .bind(at + 1, static_cast<std::int64_t>(s.n_f_cnt_down))
      .bind(at + 2, static_cast<std::int64_t>(s.a_f_cnt_down))
      .bind(at + 3, s.rx1_delay)
      .bind(at + 4, s.rx1_dr_offset)
      .bind(at + 5, rx2_dr)
      .bind(at + 6, rx2_frequency)
      .bind(at + 7, s.dr)
      .bind(at + 8, s.tx_power_index)
      .bind(at + 9, s.nb_trans)
      .bind(at + 10, s.mac_state);
}

}  // namespace

void save_session(Database& db, DeviceSession& s) {
  Statement q(
      db,
      "INSERT INTO device_session (dev_eui, dev_addr, mac_version, f_nwk_s_int_key, s_nwk_s_int_key, "
      "nwk_s_enc_key, app_s_key, f_cnt_up, n_f_cnt_down, a_f_cnt_down, rx1_delay, rx1_dr_offset, rx2_dr, "
      "rx2_frequency, dr, tx_power_index, nb_trans, mac_state, created_at, last_uplink_at) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (dev_eui) DO UPDATE SET "
      "dev_addr = excluded.dev_addr, mac_version = excluded.mac_version, f_nwk_s_int_key = excluded.f_nwk_s_int_key, "
      "s_nwk_s_int_key = excluded.s_nwk_s_int_key, nwk_s_enc_key = excluded.nwk_s_enc_key, "
      "app_s_key = excluded.app_s_key, f_cnt_up = excluded.f_cnt_up, n_f_cnt_down = excluded.n_f_cnt_down, "
      "a_f_cnt_down = excluded.a_f_cnt_down, rx1_delay = excluded.rx1_delay, rx1_dr_offset = excluded.rx1_dr_offset, "
      "rx2_dr = excluded.rx2_dr, rx2_frequency = excluded.rx2_frequency, dr = excluded.dr, "
      "tx_power_index = excluded.tx_power_index, nb_trans = excluded.nb_trans, mac_state = excluded.mac_state, "
      "created_at = excluded.created_at, last_uplink_at = excluded.last_uplink_at, "
      "generation = device_session.generation + 1 RETURNING generation");
  q.bind(1, lorawan::eui64_to_string(s.dev_eui))
      .bind(2, lorawan::dev_addr_to_string(s.dev_addr))
      .bind(3, s.mac_version)
      .bind(4, key_column_text(db, s.keys.f_nwk_s_int_key))
      .bind(5, key_column_text(db, s.keys.s_nwk_s_int_key))
      .bind(6, key_column_text(db, s.keys.nwk_s_enc_key))
      .bind(7, key_column_text(db, s.keys.app_s_key));
  bind_session_state(q, s, 8);
  q.bind(19, s.created_at ? s.created_at : unix_now()).bind(20, s.last_uplink_at);
  if (!q.step()) throw StorageError("session of " + lorawan::eui64_to_string(s.dev_eui) + " not stored");
  s.generation = q.int64(0);
}

void update_session_state(Database& db, DeviceSession& s) {
  Statement q(db,
              "UPDATE device_session SET f_cnt_up = ?, n_f_cnt_down = ?, a_f_cnt_down = ?, rx1_delay = ?, "
              "rx1_dr_offset = ?, rx2_dr = ?, rx2_frequency = ?, dr = ?, tx_power_index = ?, nb_trans = ?, "
              "mac_state = ?, last_uplink_at = ?, generation = generation + 1 WHERE dev_eui = ? AND dev_addr = ? AND "
              "generation = ?");
  bind_session_state(q, s, 1);
  q.bind(12, s.last_uplink_at)
      .bind(13, lorawan::eui64_to_string(s.dev_eui))
      .bind(14, lorawan::dev_addr_to_string(s.dev_addr))
      .bind(15, s.generation)
      .run();
  if (db.changes() != 1) {
    throw StaleSession("session of " + lorawan::eui64_to_string(s.dev_eui) +
                       " changed since it was read (another instance stored a frame or a join of it) or is gone "
                       "(device deleted or rejoined)");
  }
  ++s.generation;
}

bool dev_nonce_used(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui, std::uint16_t dev_nonce) {
  Statement q(db, "SELECT 1 FROM dev_nonce WHERE dev_eui = ? AND join_eui = ? AND dev_nonce = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, lorawan::eui64_to_string(join_eui)).bind(3, dev_nonce);
  return q.step();
}

std::optional<std::uint16_t> max_dev_nonce(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui) {
  Statement q(db, "SELECT MAX(dev_nonce) FROM dev_nonce WHERE dev_eui = ? AND join_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, lorawan::eui64_to_string(join_eui));
  q.step();
  if (q.is_null(0)) return std::nullopt;
  return static_cast<std::uint16_t>(q.int64(0));
}

bool record_dev_nonce(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui, std::uint16_t dev_nonce) {
  Statement(db,
            "INSERT INTO dev_nonce (dev_eui, join_eui, dev_nonce, used_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (dev_eui, join_eui, dev_nonce) DO NOTHING")
      .bind(1, lorawan::eui64_to_string(dev_eui))
      .bind(2, lorawan::eui64_to_string(join_eui))
      .bind(3, dev_nonce)
      .bind(4, unix_now())
      .run();
  return db.changes() == 1;
}

std::uint32_t join_nonce(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db, "SELECT join_nonce FROM device WHERE dev_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  return q.step() ? static_cast<std::uint32_t>(q.int64(0)) : 0;
}

bool set_join_nonce(Database& db, lorawan::Eui64 dev_eui, std::uint32_t previous, std::uint32_t join_nonce) {
  Statement(db, "UPDATE device SET join_nonce = ? WHERE dev_eui = ? AND join_nonce = ?")
      .bind(1, static_cast<std::int64_t>(join_nonce))
      .bind(2, lorawan::eui64_to_string(dev_eui))
      .bind(3, static_cast<std::int64_t>(previous))
      .run();
  return db.changes() == 1;
}

std::int64_t count_sessions(Database& db) {
  Statement q(db, "SELECT COUNT(*) FROM device_session");
  q.step();
  return q.int64(0);
}

}  // namespace uchet::schema
