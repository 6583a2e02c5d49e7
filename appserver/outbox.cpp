#include "appserver/outbox.h"

#include <mosquitto.h>
#include <simdjson.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace uchet::appserver {

void enqueue_event(storage::Database& db, std::string_view topic, std::string_view payload_json) {
  const std::string topic_copy(topic);  // mosquitto's checks want a C string
  if (topic.empty() || mosquitto_pub_topic_check2(topic_copy.c_str(), topic_copy.size()) != MOSQ_ERR_SUCCESS ||
      mosquitto_validate_utf8(topic_copy.data(), static_cast<int>(topic_copy.size())) != MOSQ_ERR_SUCCESS) {
    throw std::invalid_argument("not a valid MQTT topic to publish to: '" + topic_copy + "'");
  }
  // simdjson's SIMD check: the payload is validated once more here, for every event, and
  // mosquitto_validate_utf8 (a byte at a time) cost 1.4 % of uchetd at 18,000 events/s.
  if (!simdjson::validate_utf8(payload_json.data(), payload_json.size())) {
    throw std::invalid_argument("event payload for '" + topic_copy + "' is not valid UTF-8");
  }
  storage::Statement insert(db, "INSERT INTO outbox (topic, payload, created_at) VALUES (?1, ?2, ?3)");
  insert.bind(1, topic).bind(2, payload_json).bind(3, storage::unix_now()).run();
}

std::vector<OutboxRow> outbox_rows_after(storage::Database& db, std::int64_t after_id, std::size_t limit) {
  storage::Statement query(db, "SELECT id, topic, payload FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2");
  query.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> rows;
  while (query.step()) rows.push_back({query.int64(0), query.text(1), query.text(2)});
  return rows;
}

void delete_outbox_rows(storage::Database& db, std::span<const std::int64_t> ids) {
  if (ids.empty()) return;
  std::vector<std::int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  storage::Transaction tx(db);
  std::size_t first = 0;
  for (std::size_t i = 1; i <= sorted.size(); ++i) {
    if (i < sorted.size() && sorted[i] <= sorted[i - 1] + 1) continue;  // the run goes on (or a repeat)
    storage::Statement(db, "DELETE FROM outbox WHERE id BETWEEN ?1 AND ?2").bind(1, sorted[first]).bind(2, sorted[i - 1]).run();
    first = i;
  }
  tx.commit();
}

std::optional<std::int64_t> oldest_outbox_id(storage::Database& db) {
  storage::Statement query(db, "SELECT MIN(id) FROM outbox");
  return query.step() ? query.optional_int64(0) : std::nullopt;
}

std::int64_t outbox_backlog(storage::Database& db) {
  // Separate sub-queries: SQLite answers a lone MIN or MAX from the index, not both at once.
  storage::Statement query(db,
                           "SELECT COALESCE((SELECT MAX(id) FROM outbox) - (SELECT MIN(id) FROM outbox) + 1, 0)");
  return query.step() ? query.int64(0) : 0;
}

}  // namespace uchet::appserver
