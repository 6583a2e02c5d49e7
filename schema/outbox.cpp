#include "schema/outbox.h"
#include "schema/statement.h"

#include <algorithm>

namespace uchet::schema {

namespace {

// PostgreSQL: the key of the transaction-level advisory lock that serialises outbox inserts
// (schema/migrations.cpp's migration lock uses another key).
constexpr const char* kLockOutboxOrder = "SELECT pg_advisory_xact_lock(8458719310081191274)";

}  // namespace

void insert_outbox_row(Database& db, std::string_view topic, std::string_view payload_json) {
  // The publisher and the HTTP endpoints read rows above the last id they sent, so ids must
  // follow commit order. SQLite's single write lock gives that; a PostgreSQL sequence hands out
  // ids before commit, so two transactions could commit their rows out of id order and the later
  // commit's lower id would be skipped. The lock, held to the end of the transaction, makes
  // outbox writers take turns (schema/README.md, "Dialects").
  if (db.dialect() == Dialect::postgresql) Statement(db, kLockOutboxOrder).run();
  Statement insert(db, "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)");
  insert.bind(1, topic).bind(2, payload_json).bind(3, unix_now()).run();
}

std::vector<OutboxRow> outbox_rows_after(Database& db, std::int64_t after_id, std::size_t limit) {
  Statement query(db, "SELECT id, topic, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
  query.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> rows;
  while (query.step()) rows.push_back({query.int64(0), query.text(1), query.text(2)});
  return rows;
}

void delete_outbox_rows(Database& db, std::span<const std::int64_t> ids) {
  if (ids.empty()) return;
  std::vector<std::int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  Transaction tx(db);
  std::size_t first = 0;
  for (std::size_t i = 1; i <= sorted.size(); ++i) {
    if (i < sorted.size() && sorted[i] <= sorted[i - 1] + 1) continue;  // the run goes on (or a repeat)
    Statement(db, "DELETE FROM outbox WHERE id BETWEEN ? AND ?").bind(1, sorted[first]).bind(2, sorted[i - 1]).run();
    first = i;
  }
  tx.commit();
}

std::optional<std::int64_t> oldest_outbox_id(Database& db) {
  Statement query(db, "SELECT MIN(id) FROM outbox");
  return query.step() ? query.optional_int64(0) : std::nullopt;
}

std::int64_t outbox_backlog(Database& db) {
  // Separate sub-queries: SQLite answers a lone MIN or MAX from the index, not both at once.
  Statement query(db, "SELECT COALESCE((SELECT MAX(id) FROM outbox) - (SELECT MIN(id) FROM outbox) + 1, 0)");
  return query.step() ? query.int64(0) : 0;
}

std::optional<std::int64_t> oldest_outbox_created_at(Database& db) {
  Statement q(db, "SELECT created_at FROM outbox ORDER BY id LIMIT 1");
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

}  // namespace uchet::schema
