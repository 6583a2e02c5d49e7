#include "schema/relayed_downlinks.h"

#include "netserver/lorawan/encoding.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

constexpr const char* kColumns =
    "id, gateway_eui, from_instance, to_instance, transmission, not_after_us, created_at_us, taken_at_us, outcome, "
    "detail, warning";

RelayedDownlink read_row(Statement& q) {
  RelayedDownlink r;
  r.id = q.int64(0);
  r.gateway_eui = lorawan::parse_eui64(q.text(1)).value_or(0);
  r.from_instance = q.text(2);
  r.to_instance = q.text(3);
  r.transmission = q.text(4);
  r.not_after_us = q.int64(5);
  r.created_at_us = q.int64(6);
  r.taken_at_us = q.optional_int64(7);
  r.outcome = q.optional_text(8);
  r.detail = q.text(9);
  r.warning = q.text(10);
  return r;
}

std::vector<RelayedDownlink> read_rows(Statement& q) {
  std::vector<RelayedDownlink> out;
  while (q.step()) out.push_back(read_row(q));
  return out;
}

}  // namespace

std::int64_t insert_relayed_downlink(Database& db, const RelayedDownlink& row) {
  Statement q(db,
              "INSERT INTO relayed_downlink (gateway_eui, from_instance, to_instance, transmission, not_after_us, "
              "created_at_us) VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
  q.bind(1, lorawan::eui64_to_string(row.gateway_eui))
      .bind(2, row.from_instance)
      .bind(3, row.to_instance)
      .bind(4, row.transmission)
      .bind(5, row.not_after_us)
      .bind(6, row.created_at_us);
  return inserted_id(q);
}

std::vector<RelayedDownlink> relayed_downlinks_to(Database& db, std::string_view to_instance) {
  Statement q(db, std::string("SELECT ") + kColumns +
                      " FROM relayed_downlink WHERE to_instance = ? AND taken_at_us IS NULL AND outcome IS NULL "
                      "ORDER BY id");
  q.bind(1, to_instance);
  return read_rows(q);
}

bool take_relayed_downlink(Database& db, std::int64_t id, std::int64_t now_us) {
  Statement(db, "UPDATE relayed_downlink SET taken_at_us = ? WHERE id = ? AND taken_at_us IS NULL AND outcome IS NULL")
      .bind(1, now_us)
      .bind(2, id)
      .run();
  return db.changes() == 1;
}

bool answer_relayed_downlink(Database& db, std::int64_t id, std::string_view outcome, std::string_view detail,
                             std::string_view warning) {
  Statement(db, "UPDATE relayed_downlink SET outcome = ?, detail = ?, warning = ? WHERE id = ? AND outcome IS NULL")
      .bind(1, outcome)
      .bind(2, detail)
      .bind(3, warning)
      .bind(4, id)
      .run();
  return db.changes() == 1;
}

std::vector<RelayedDownlink> answered_relayed_downlinks(Database& db, std::string_view from_instance) {
  Statement q(db, std::string("SELECT ") + kColumns +
                      " FROM relayed_downlink WHERE from_instance = ? AND outcome IS NOT NULL ORDER BY id");
  q.bind(1, from_instance);
  return read_rows(q);
}

std::optional<RelayedDownlink> find_relayed_downlink(Database& db, std::int64_t id) {
  Statement q(db, std::string("SELECT ") + kColumns + " FROM relayed_downlink WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return read_row(q);
}

void delete_relayed_downlink(Database& db, std::int64_t id) {
  Statement(db, "DELETE FROM relayed_downlink WHERE id = ?").bind(1, id).run();
}

int prune_relayed_downlinks(Database& db, std::int64_t before_us) {
  Statement(db, "DELETE FROM relayed_downlink WHERE created_at_us < ?").bind(1, before_us).run();
  return db.changes();
}

}  // namespace uchet::schema
