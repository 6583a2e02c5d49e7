#include "schema/downlink_queue.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

#include <atomic>

#include "common/uuid.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

std::atomic<std::uint64_t> g_enqueued{0};

constexpr const char* kSelect =
    "SELECT id, dev_eui, f_port, data, confirmed, created_at, expires_at, f_cnt_down, attempts, queue_item_id, "
    "clock_correction FROM downlink_queue ";

QueueItem read_item(const Statement& q) {
  QueueItem item;
  item.id = q.int64(0);
  item.dev_eui = lorawan::parse_eui64(q.text(1)).value_or(0);
  item.f_port = static_cast<std::uint8_t>(q.int64(2));
  item.data = q.blob(3);
  item.confirmed = q.int64(4) != 0;
  item.created_at = q.int64(5);
  item.expires_at = q.optional_int64(6);
  if (auto f = q.optional_int64(7)) item.f_cnt_down = static_cast<std::uint32_t>(*f);
  item.attempts = static_cast<int>(q.int64(8));
  item.queue_item_id = q.optional_text(9).value_or("");
  item.clock_correction = q.int64(10) != 0;
  return item;
}

}  // namespace

lorawan::Result<void> check_downlink(std::int64_t f_port, std::size_t payload_size) {
  if (f_port < 1 || f_port > 223)
    return std::unexpected("fPort must be between 1 and 223, got " + std::to_string(f_port));
  if (payload_size > 242) {
    return std::unexpected("payload is " + std::to_string(payload_size) + " bytes; at most 242 fit a downlink");
  }
  return {};
}

std::int64_t enqueue_downlink(Database& db, const QueueItem& item) {
  Statement insert(db,
                   "INSERT INTO downlink_queue (dev_eui, f_port, data, confirmed, created_at, expires_at, "
                   "queue_item_id, clock_correction) VALUES (?,?,?,?,?,?,?,?) RETURNING id");
  insert.bind(1, lorawan::eui64_to_string(item.dev_eui))
      .bind(2, static_cast<int>(item.f_port))
      .bind_blob(3, item.data)
      .bind(4, item.confirmed ? 1 : 0)
      .bind(5, item.created_at ? item.created_at : unix_now())
      .bind(6, item.expires_at)
      .bind(7, item.queue_item_id.empty() ? common::random_uuid() : item.queue_item_id)
      .bind(8, item.clock_correction ? 1 : 0);
  const auto id = inserted_id(insert);
  g_enqueued.fetch_add(1, std::memory_order_relaxed);
  return id;
}

bool queue_item_id_in_use(Database& db, std::string_view queue_item_id) {
  Statement q(db, "SELECT 1 FROM queue_item_id_used WHERE queue_item_id = ?");
  q.bind(1, queue_item_id);
  return q.step();
}

std::vector<QueueItem> pending_downlinks(Database& db, lorawan::Eui64 dev_eui, std::int64_t now) {
  Statement q(db, std::string(kSelect) + "WHERE dev_eui = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, now);
  std::vector<QueueItem> out;
  while (q.step()) out.push_back(read_item(q));
  return out;
}

std::vector<QueueItem> take_expired_downlinks(Database& db, lorawan::Eui64 dev_eui, std::int64_t now) {
  Statement q(db,
              std::string(kSelect) + "WHERE dev_eui = ? AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY id");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, now);
  std::vector<QueueItem> out;
  while (q.step()) out.push_back(read_item(q));
  for (const auto& item : out) delete_downlink(db, item.id);
  return out;
}

void mark_downlink_sent(Database& db, std::int64_t id, std::uint32_t f_cnt_down) {
  Statement(db, "UPDATE downlink_queue SET f_cnt_down = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?")
      .bind(1, static_cast<std::int64_t>(f_cnt_down))
      .bind(2, unix_now())
      .bind(3, id)
      .run();
}

bool take_pending_downlink(Database& db, const QueueItem& item, std::uint32_t f_cnt_down) {
  if (item.confirmed) {
    Statement(db,
              "UPDATE downlink_queue SET f_cnt_down = ?, sent_at = ?, attempts = attempts + 1 "
              "WHERE id = ? AND f_cnt_down IS NULL")
        .bind(1, static_cast<std::int64_t>(f_cnt_down))
        .bind(2, unix_now())
        .bind(3, item.id)
        .run();
  } else {
    Statement(db, "DELETE FROM downlink_queue WHERE id = ? AND f_cnt_down IS NULL").bind(1, item.id).run();
  }
  return db.changes() == 1;
}

void return_downlink(Database& db, const QueueItem& item) {
  Statement(db,
            "INSERT INTO downlink_queue (id, dev_eui, f_port, data, confirmed, created_at, expires_at, "
            "f_cnt_down, sent_at, attempts, queue_item_id, clock_correction) VALUES (?,?,?,?,?,?,?,?,NULL,?,?,?) "
            "ON CONFLICT (id) DO UPDATE SET dev_eui = excluded.dev_eui, f_port = excluded.f_port, "
            "data = excluded.data, confirmed = excluded.confirmed, created_at = excluded.created_at, "
            "expires_at = excluded.expires_at, f_cnt_down = excluded.f_cnt_down, sent_at = NULL, "
            "attempts = excluded.attempts, queue_item_id = excluded.queue_item_id, "
            "clock_correction = excluded.clock_correction")
      .bind(1, item.id)
      .bind(2, lorawan::eui64_to_string(item.dev_eui))
      .bind(3, static_cast<int>(item.f_port))
      .bind_blob(4, item.data)
      .bind(5, item.confirmed ? 1 : 0)
      .bind(6, item.created_at)
      .bind(7, item.expires_at)
      .bind(8, item.f_cnt_down ? std::optional<std::int64_t>(*item.f_cnt_down) : std::nullopt)
      .bind(9, item.attempts)
      .bind(10,
            item.queue_item_id.empty() ? std::optional<std::string>() : std::optional<std::string>(item.queue_item_id))
      .bind(11, item.clock_correction ? 1 : 0)
      .run();
  g_enqueued.fetch_add(1, std::memory_order_relaxed);
}

void delete_downlink(Database& db, std::int64_t id) {
  Statement(db, "DELETE FROM downlink_queue WHERE id = ?").bind(1, id).run();
}

namespace {

// The DevEUIs a `SELECT DISTINCT dev_eui` query returns.
std::vector<lorawan::Eui64> dev_euis(Database& db, std::string_view sql) {
  Statement q(db, sql);
  std::vector<lorawan::Eui64> out;
  while (q.step()) out.push_back(lorawan::parse_eui64(q.text(0)).value_or(0));
  return out;
}

}  // namespace

std::vector<lorawan::Eui64> devices_with_downlinks(Database& db) {
  return dev_euis(db, "SELECT DISTINCT dev_eui FROM downlink_queue");
}

std::uint64_t downlinks_enqueued_in_process() { return g_enqueued.load(std::memory_order_relaxed); }

std::vector<lorawan::Eui64> devices_with_unsent_downlinks(Database& db) {
  return dev_euis(db, "SELECT DISTINCT dev_eui FROM downlink_queue WHERE f_cnt_down IS NULL");
}

}  // namespace uchet::schema
