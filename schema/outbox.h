#pragma once
// The outbox table: events waiting to be published over MQTT (appserver/integration/outbox.h says why and
// checks what goes in; appserver/integration/mqtt_publisher.h sends and deletes). Ids follow commit order
// and are never reused (AUTOINCREMENT, migration 0007): a row may be deleted on another
// connection after the publisher has moved past it.
//
// Rows are added inside the unit of work that stores the data they announce; the publisher
// reads on its own connection and deletes on whichever connection its owner chooses. Functions
// take the connection (or a UnitOfWork) owned by the caller, on its thread, and throw
// StorageError on failure.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

struct OutboxRow {
  std::int64_t id = 0;
  std::string topic;
  std::string payload;
};

// Adds an event row (topic and payload already checked by the caller).
void insert_outbox_row(Database& db, std::string_view topic, std::string_view payload_json);

// Up to `limit` rows with id > after_id, oldest first.
std::vector<OutboxRow> outbox_rows_after(Database& db, std::int64_t after_id, std::size_t limit);

// Deletes the given ids in one transaction of its own (hence atomically), one range DELETE per
// run of consecutive ids: acknowledged rows are nearly always consecutive, and a range is one
// step down the primary key where a list is one lookup per id. Unknown ids are ignored.
void delete_outbox_rows(Database& db, std::span<const std::int64_t> ids);

// The smallest id in the outbox, if any.
std::optional<std::int64_t> oldest_outbox_id(Database& db);

// Rows waiting: max(id) - min(id) + 1, 0 when empty. Two index look-ups instead of a COUNT
// scan; exact while acknowledgements arrive in order (the usual case), otherwise an upper bound.
std::int64_t outbox_backlog(Database& db);

// When the oldest waiting row was stored (Unix seconds), if any: the outbox's age for /metrics
// and alerting (the broker gone for an hour shows as an hour-old row). One primary-key step.
std::optional<std::int64_t> oldest_outbox_created_at(Database& db);

}  // namespace uchet::schema
