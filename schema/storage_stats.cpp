#include "schema/storage_stats.h"

#include <filesystem>
#include <map>

#include "schema/statement.h"

namespace uchet::schema {
namespace {

// The column (as an SQL expression in Unix seconds) saying when a row was added, for the tables
// that grow with traffic or time.
const std::map<std::string, std::string>& time_columns() {
  static const std::map<std::string, std::string> columns = {{"uplink_frame", "received_at_ms / 1000"},
                                                             {"reading", "received_at"},
                                                             {"alarm", "opened_at"},
                                                             {"object_alarm", "opened_at"},
                                                             {"outbox", "created_at"},
                                                             {"lifecycle_event", "recorded_at"},
                                                             {"manual_reading", "recorded_at"},
                                                             {"balance_day", "day_start"}};
  return columns;
}

constexpr std::int64_t kGrowthSpanDays = 7;

}  // namespace

bool has_dbstat(Database& db) {
  Statement q(db, "PRAGMA compile_options");
  while (q.step()) {
    if (q.text(0) == "ENABLE_DBSTAT_VTAB") return true;
  }
  return false;
}

std::vector<TableStats> table_stats(Database& db, std::int64_t now) {
  std::vector<TableStats> out;
  {
    Statement q(db,
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name <> 'schema_version' ORDER BY name");
    while (q.step()) out.push_back(TableStats{q.text(0)});
  }
  std::map<std::string, std::int64_t> bytes;
  const bool exact = has_dbstat(db);
  if (exact) {
    Statement q(db,
                "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s JOIN sqlite_schema m ON m.name = s.name "
                "GROUP BY m.tbl_name");
    while (q.step()) bytes[q.text(0)] = q.int64(1);
  }
  for (auto& t : out) {
    // Table names come from sqlite_schema, not from a user: quoting them is enough.
    Statement count(db, "SELECT COUNT(*) FROM \"" + t.table + "\"");
    count.step();
    t.rows = count.int64(0);
    if (exact) t.bytes = bytes.contains(t.table) ? bytes[t.table] : 0;
    if (auto column = time_columns().find(t.table); column != time_columns().end()) {
      Statement recent(db, "SELECT COUNT(*) FROM \"" + t.table + "\" WHERE " + column->second + " >= ?");
      recent.bind(1, now - kGrowthSpanDays * 86400);
      recent.step();
      t.rows_per_day = static_cast<double>(recent.int64(0)) / kGrowthSpanDays;
      if (t.bytes && t.rows > 0) t.bytes_per_day = *t.rows_per_day * static_cast<double>(*t.bytes) / t.rows;
    }
  }
  return out;
}

std::int64_t wal_size_bytes(const std::string& database_path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(database_path + "-wal", ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

}  // namespace uchet::schema
