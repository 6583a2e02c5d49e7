#pragma once
// The outbox: events announced over MQTT are rows of the `outbox` table, written in the same
// transaction as the data they announce. So an event is announced only if its data is stored,
// and nothing stored is lost if the daemon or the broker goes down: the OutboxPublisher
// (mqtt_publisher.h) sends the rows in id order and deletes each one after the broker's PUBACK.
//
// The table itself is a store, schema/outbox.h (its ids, reading and deleting rows); this header
// adds the checks an event must pass before it is stored. enqueue_event takes the connection
// (or the UnitOfWork it is handed) owned by the caller and throws schema::StorageError on
// SQLite failures.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"
#include "schema/outbox.h"

namespace uchet::appserver {

// The store's row and operations, under the names the publisher and its tests use.
using schema::delete_outbox_rows;
using schema::oldest_outbox_id;
using schema::outbox_backlog;
using schema::outbox_rows_after;
using schema::OutboxRow;

// Adds an event. Call it inside the schema::Transaction that stores the data it announces;
// after commit, OutboxPublisher::notify() makes delivery immediate (else it is polled).
// Throws std::invalid_argument for a topic MQTT cannot publish to (empty, wildcards, bad
// UTF-8) or a payload that is not UTF-8: such a row could never be delivered and would
// otherwise only be found when the publisher drops it.
void enqueue_event(schema::Database& db, std::string_view topic, std::string_view payload_json);

}  // namespace uchet::appserver
