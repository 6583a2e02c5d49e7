#pragma once
// The per-endpoint copies of outbox rows for webhook delivery (migration 0011): the endpoints
// uchetd is configured with, and each one's rows. A trigger copies every outbox row to every
// endpoint as it is inserted; appserver/integration/http_integration.h delivers and deletes.
// Functions take the caller's connection, on its thread, and throw StorageError on failure.
#include <cstdint>
#include <string>
#include <vector>

#include "schema/database.h"
#include "schema/outbox.h"

namespace uchet::schema {

// Makes the endpoint table hold exactly `urls` (an endpoint no longer configured is removed with
// its backlog) and returns each url's endpoint id, in the order given. One transaction.
std::vector<std::int64_t> sync_http_endpoints(Database& db, const std::vector<std::string>& urls);

// Up to `limit` rows of the endpoint with id > after_id, oldest first.
std::vector<OutboxRow> http_outbox_rows_after(Database& db, std::int64_t endpoint_id, std::int64_t after_id,
                                              std::size_t limit);
// Deletes the endpoint's rows with id <= up_to_id (delivered, or never to be delivered).
void delete_http_outbox_rows(Database& db, std::int64_t endpoint_id, std::int64_t up_to_id);
// Deletes the endpoint's oldest rows beyond the newest `max_rows`; returns how many went.
std::int64_t trim_http_outbox(Database& db, std::int64_t endpoint_id, std::int64_t max_rows);
// Rows waiting for the endpoint.
std::int64_t http_outbox_backlog(Database& db, std::int64_t endpoint_id);

}  // namespace uchet::schema
