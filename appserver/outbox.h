#pragma once
// The outbox: events announced over MQTT are rows of the `outbox` table, written in the same
// transaction as the data they announce. So an event is announced only if its data is stored,
// and nothing stored is lost if the daemon or the broker goes down: the OutboxPublisher
// (mqtt_publisher.h) sends the rows in id order and deletes each one after the broker's PUBACK.
//
// Ids follow commit order and are never reused (AUTOINCREMENT, migration 0007): a row may be
// deleted on another connection after the publisher has moved past it.
//
// These are the only functions that touch the table. All take a connection owned by the
// caller and throw storage::StorageError on SQLite failures.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"

namespace uchet::appserver {

struct OutboxRow {
  std::int64_t id = 0;
  std::string topic;
  std::string payload;
};

// Adds an event. Call it inside the storage::Transaction that stores the data it announces;
// after commit, OutboxPublisher::notify() makes delivery immediate (else it is polled).
// Throws std::invalid_argument for a topic MQTT cannot publish to (empty, wildcards, bad
// UTF-8) or a payload that is not UTF-8: such a row could never be delivered and would
// otherwise only be found when the publisher drops it.
void enqueue_event(storage::Database& db, std::string_view topic, std::string_view payload_json);

// Up to `limit` rows with id > after_id, oldest first.
std::vector<OutboxRow> outbox_rows_after(storage::Database& db, std::int64_t after_id, std::size_t limit);

// Deletes the given ids in one transaction of its own (hence atomically), one range DELETE per
// run of consecutive ids: acknowledged rows are nearly always consecutive, and a range is one
// step down the primary key where a list is one lookup per id. Unknown ids are ignored.
void delete_outbox_rows(storage::Database& db, std::span<const std::int64_t> ids);

// The smallest id in the outbox, if any.
std::optional<std::int64_t> oldest_outbox_id(storage::Database& db);

// Rows waiting: max(id) - min(id) + 1, 0 when empty. Two index look-ups instead of a COUNT
// scan; exact while acknowledgements arrive in order (the usual case), otherwise an upper bound.
std::int64_t outbox_backlog(storage::Database& db);

}  // namespace uchet::appserver
