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
  if (db.dialect() != Dialect::sqlite) return false;
  Statement q(db, "PRAGMA compile_options");
  while (q.step()) {
    if (q.text(0) == "ENABLE_DBSTAT_VTAB") return true;
  }
  return false;
}

bool table_bytes_known(Database& db) { return db.dialect() == Dialect::postgresql || has_dbstat(db); }

namespace {

// The schema's tables and, where the engine can tell, the bytes of each with its indexes. The
// catalogues differ: SQLite's sqlite_schema and dbstat, PostgreSQL's pg_class in the connection's
// schema and pg_total_relation_size (heap, indexes and TOAST).
std::map<std::string, std::optional<std::int64_t>> tables_and_bytes(Database& db) {
  std::map<std::string, std::optional<std::int64_t>> out;
  if (db.dialect() == Dialect::postgresql) {
    Statement q(db,
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()");
    while (q.step()) out[q.text(0)] = q.int64(1);
    return out;
  }
  Statement q(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  while (q.step()) out[q.text(0)] = std::nullopt;
  if (has_dbstat(db)) {
    for (auto& [table, bytes] : out) bytes = 0;
    Statement pages(db,
                    "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s JOIN sqlite_schema m ON m.name = s.name "
                    "GROUP BY m.tbl_name");
    while (pages.step()) {
      if (auto t = out.find(pages.text(0)); t != out.end()) t->second = pages.int64(1);
    }
  }
  return out;
}

}  // namespace

std::vector<TableStats> table_stats(Database& db, std::int64_t now) {
  std::vector<TableStats> out;
  // Ordered by name here (std::map), not by SQL: PostgreSQL's order would follow the database's
  // collation.
  for (const auto& [table, bytes] : tables_and_bytes(db)) {
    if (table == "schema_version") continue;
    TableStats t{table};
    t.bytes = bytes;
    // Table names come from the catalogue, not from a user: quoting them is enough.
    Statement count(db, "SELECT COUNT(*) FROM \"" + t.table + "\"");
    count.step();
    t.rows = count.int64(0);
    if (auto column = time_columns().find(t.table); column != time_columns().end()) {
      Statement recent(db, "SELECT COUNT(*) FROM \"" + t.table + "\" WHERE " + column->second + " >= ?");
      recent.bind(1, now - kGrowthSpanDays * 86400);
      recent.step();
      t.rows_per_day = static_cast<double>(recent.int64(0)) / kGrowthSpanDays;
      if (t.bytes && t.rows > 0) t.bytes_per_day = *t.rows_per_day * static_cast<double>(*t.bytes) / t.rows;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<std::int64_t> postgresql_database_bytes(Database& db) {
  if (db.dialect() != Dialect::postgresql) return std::nullopt;
  Statement q(db, "SELECT pg_database_size(current_database())");
  q.step();
  return q.int64(0);
}

std::int64_t wal_size_bytes(const std::string& database_path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(database_path + "-wal", ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

}  // namespace uchet::schema
