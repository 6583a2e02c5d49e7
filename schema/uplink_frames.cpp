#include "schema/uplink_frames.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {

std::int64_t insert_uplink_frame(Database& db, const NewUplinkFrame& f) {
  Statement insert(db,
                   "INSERT INTO uplink_frame (deduplication_id, dev_eui, dev_addr, f_cnt, f_port, confirmed, dr, "
                   "payload, rx_info, tx_info, received_at_ms, network_time_ms, network_time_gps) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
  insert.bind(1, f.deduplication_id)
      .bind(2, lorawan::eui64_to_string(f.dev_eui))
      .bind(3, lorawan::dev_addr_to_string(f.dev_addr))
      .bind(4, f.f_cnt)
      .bind(5, f.f_port)
      .bind(6, f.confirmed ? 1 : 0)
      .bind(7, f.dr)
      .bind_blob(8, f.payload)
      .bind(9, f.rx_info)
      .bind(10, f.tx_info)
      .bind(11, f.received_at_ms)
      .bind(12, f.network_time_ms)
      .bind(13, f.network_time_gps ? 1 : 0);
  return inserted_id(insert);
}

std::vector<ArchivedFrame> archived_frames(Database& db, std::string_view dev_eui, std::int64_t from_ms,
                                           std::int64_t to_ms) {
  Statement q(db,
              "SELECT id, dev_eui, f_port, payload, received_at_ms, network_time_ms FROM uplink_frame "
              "WHERE (? = '' OR dev_eui = ?) AND received_at_ms >= ? AND received_at_ms <= ? ORDER BY id");
  q.bind(1, dev_eui).bind(2, dev_eui).bind(3, from_ms).bind(4, to_ms);
  std::vector<ArchivedFrame> frames;
  while (q.step())
    frames.push_back(ArchivedFrame{q.int64(0), q.text(1), q.optional_int64(2), q.blob(3), q.int64(4), q.int64(5)});
  return frames;
}

PruneStep prune_uplink_frames(Database& db, std::int64_t cutoff_ms, std::int64_t after_id, int limit) {
  PruneStep step;
  std::optional<std::int64_t> first, last;  // the old frames of the window
  int seen = 0;
  {
    Statement window(db, "SELECT id, received_at_ms FROM uplink_frame WHERE id > ? ORDER BY id LIMIT ?");
    window.bind(1, after_id).bind(2, limit);
    while (window.step()) {
      ++seen;
      if (window.int64(1) >= cutoff_ms) {
        step.done = true;  // arrival order: the rest is younger
        break;
      }
      if (!first) first = window.int64(0);
      last = window.int64(0);
    }
  }
  if (seen < limit) step.done = true;
  if (!first) return step;
  step.next_after = *last;
  Statement(db,
            "DELETE FROM uplink_frame AS f WHERE f.id BETWEEN ? AND ? AND f.received_at_ms < ?"
            // Frames of one pass share received_at_ms: the id breaks the tie, so one is the newest.
            " AND EXISTS (SELECT 1 FROM uplink_frame n WHERE n.dev_eui = f.dev_eui"
            "             AND (n.received_at_ms, n.id) > (f.received_at_ms, f.id))")
      .bind(1, *first)
      .bind(2, *last)
      .bind(3, cutoff_ms)
      .run();
  step.deleted = db.changes();
  return step;
}

}  // namespace uchet::schema
