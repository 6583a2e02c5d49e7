#pragma once
// Contract: what the database holds, for `uchetctl storage stats` and uchetd's /metrics: rows,
// bytes and growth per day of each table, the size of the WAL (SQLite) or of the whole database
// (PostgreSQL). Read-only; runs on the caller's connection and thread and throws StorageError on
// failure.
//
// Bytes on SQLite come from its dbstat virtual table (Debian's libsqlite3 is built with
// SQLITE_ENABLE_DBSTAT_VTAB; has_dbstat() checks PRAGMA compile_options at run time): the pages
// of the table and of its indexes, so they add up to the file's used pages. On PostgreSQL they
// are pg_total_relation_size (the table, its indexes and TOAST), always known. The bytes and the
// row counts read every table, so table_stats() is for an operator's command, never for a
// scrape. Growth per day is measured over the last 7 days from the tables' own time columns
// (rows in that span / 7, times the table's bytes per row); tables without one show none.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

struct TableStats {
  std::string table;
  std::int64_t rows = 0;
  std::optional<std::int64_t> bytes;  // table and its indexes; none without dbstat
  std::optional<double> rows_per_day, bytes_per_day;
};

// Whether this SQLite has dbstat (false on PostgreSQL, which needs none).
bool has_dbstat(Database& db);
// Whether table_stats() reports bytes: always on PostgreSQL, on SQLite with dbstat.
bool table_bytes_known(Database& db);

// Every table of the schema (SQLite's own tables and schema_version left out), by name.
std::vector<TableStats> table_stats(Database& db, std::int64_t now);

// The size of the connection's PostgreSQL database (pg_database_size); none on SQLite, whose
// size is its file's.
std::optional<std::int64_t> postgresql_database_bytes(Database& db);

// Size of the database's write-ahead log (`<path>-wal`) in bytes, 0 when there is none. A file
// size, no SQL: cheap enough for every scrape.
std::int64_t wal_size_bytes(const std::string& database_path);

}  // namespace uchet::schema
