#include "schema/http_outbox.h"
#include "schema/statement.h"

#include <algorithm>

namespace uchet::schema {

std::vector<std::int64_t> sync_http_endpoints(Database& db, const std::vector<std::string>& urls) {
  Transaction tx(db);
  std::vector<std::int64_t> ids;
  for (const auto& url : urls) {
    Statement(db, "INSERT INTO http_endpoint (url) VALUES (?) ON CONFLICT (url) DO NOTHING").bind(1, url).run();
    Statement q(db, "SELECT id FROM http_endpoint WHERE url = ?");
    q.bind(1, url);
    if (!q.step()) throw StorageError("http endpoint " + url + " not stored");
    ids.push_back(q.int64(0));
  }
  std::vector<std::int64_t> stale;
  {
    Statement q(db, "SELECT id, url FROM http_endpoint");
    while (q.step()) {
      if (std::find(urls.begin(), urls.end(), q.text(1)) == urls.end()) stale.push_back(q.int64(0));
    }
  }
  for (auto id : stale) Statement(db, "DELETE FROM http_endpoint WHERE id = ?").bind(1, id).run();
  tx.commit();
  return ids;
}

std::vector<OutboxRow> http_outbox_rows_after(Database& db, std::int64_t endpoint_id, std::int64_t after_id,
                                              std::size_t limit) {
  Statement q(db, "SELECT id, topic, payload FROM http_outbox WHERE endpoint_id = ? AND id > ? ORDER BY id LIMIT ?");
  q.bind(1, endpoint_id).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> rows;
  while (q.step()) rows.push_back(OutboxRow{q.int64(0), q.text(1), q.text(2)});
  return rows;
}

void delete_http_outbox_rows(Database& db, std::int64_t endpoint_id, std::int64_t up_to_id) {
  Statement(db, "DELETE FROM http_outbox WHERE endpoint_id = ? AND id <= ?")
      .bind(1, endpoint_id)
      .bind(2, up_to_id)
      .run();
}

std::int64_t trim_http_outbox(Database& db, std::int64_t endpoint_id, std::int64_t max_rows) {
  // The id below which rows go: that of the (max_rows+1)-th newest row, found down the index.
  Statement q(db, "SELECT id FROM http_outbox WHERE endpoint_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?");
  q.bind(1, endpoint_id).bind(2, max_rows);
  if (!q.step()) return 0;
  const auto newest_to_go = q.int64(0);
  Statement(db, "DELETE FROM http_outbox WHERE endpoint_id = ? AND id <= ?")
      .bind(1, endpoint_id)
      .bind(2, newest_to_go)
      .run();
  return db.changes();
}

std::int64_t http_outbox_backlog(Database& db, std::int64_t endpoint_id) {
  Statement q(db, "SELECT COUNT(*) FROM http_outbox WHERE endpoint_id = ?");
  q.bind(1, endpoint_id);
  return q.step() ? q.int64(0) : 0;
}

}  // namespace uchet::schema
