// backup, check, restore and storage stats: commands on the database file as a whole. They run
// outside the one-transaction frame of the other commands (main.cpp): a backup reads in steps,
// a restore replaces every page, and none of them should migrate the file first.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "schema/backup.h"
#include "schema/database_lock.h"
#include "schema/location.h"
#include "schema/storage_stats.h"
#include "tools/uchetctl/commands.h"

namespace uchet::cli {
namespace {

std::string optional_number(const std::optional<double>& v) { return v ? fmt::format("{:.0f}", *v) : "-"; }

// backup, check and restore work on SQLite's file; PostgreSQL has its own tools for each.
void refuse_on_postgresql(const std::string& location, const std::string& command) {
  if (!schema::is_postgresql_location(location)) return;
  throw UsageError("uchetctl " + command +
                   " works on an SQLite database file; on PostgreSQL use its own tools: pg_dump / pg_restore "
                   "(a logical copy), pg_basebackup (a physical one, with WAL archiving for point-in-time "
                   "recovery) and pg_amcheck (verification)");
}

int storage_stats(const std::string& path, const Output& output) {
  const bool postgresql = schema::is_postgresql_location(path);
  if (!postgresql && !std::filesystem::is_regular_file(path)) throw UsageError("no database file at " + path);
  auto db = schema::Database::open_raw(path);
  db.exec("BEGIN");  // one snapshot for every figure
  const auto tables = schema::table_stats(db, schema::unix_now());
  const auto database_bytes = schema::postgresql_database_bytes(db);
  db.exec("ROLLBACK");
  const bool exact = schema::table_bytes_known(db);
  Table t{{"TABLE", "ROWS", "BYTES", "ROWS/DAY", "BYTES/DAY"}, {}};
  auto j = nlohmann::json::object();
  auto jt = nlohmann::json::array();
  for (const auto& s : tables) {
    t.rows.push_back({s.table, std::to_string(s.rows), s.bytes ? std::to_string(*s.bytes) : "-",
                      optional_number(s.rows_per_day), optional_number(s.bytes_per_day)});
    nlohmann::json row{{"table", s.table}, {"rows", s.rows}};
    row["bytes"] = s.bytes ? nlohmann::json(*s.bytes) : nlohmann::json(nullptr);
    row["rowsPerDay"] = s.rows_per_day ? nlohmann::json(*s.rows_per_day) : nlohmann::json(nullptr);
    row["bytesPerDay"] = s.bytes_per_day ? nlohmann::json(*s.bytes_per_day) : nlohmann::json(nullptr);
    jt.push_back(std::move(row));
  }
  j["tables"] = std::move(jt);
  j["bytesExact"] = exact;
  const char* growth = "growth per day: rows added in the last 7 days / 7 (tables with a time column); ";
  if (postgresql) {
    // A PostgreSQL database has no file or WAL of its own to show: the server's size of it.
    j["databaseBytes"] = *database_bytes;
    output.table(t, j);
    if (!output.json) {
      output.out << "\ndatabase " << *database_bytes << " bytes (pg_database_size)\n"
                 << growth << "bytes: the table's, its indexes' and TOAST (pg_total_relation_size)\n";
    }
    return 0;
  }
  const auto wal = schema::wal_size_bytes(path);
  const auto file = static_cast<std::int64_t>(std::filesystem::file_size(path));
  j["fileBytes"] = file;
  j["walBytes"] = wal;
  output.table(t, j);
  if (!output.json) {
    output.out << "\ndatabase file " << file << " bytes, WAL " << wal << " bytes\n"
               << growth
               << (exact ? "bytes: the table's and its indexes' pages (dbstat)\n"
                         : "bytes not shown: this SQLite has no dbstat\n");
  }
  return 0;
}

}  // namespace

void add_database_commands(CLI::App& app, Maintenance& selected) {
  auto backup_file = std::make_shared<std::string>();
  auto* backup = app.add_subcommand("backup", "copy the database to FILE while uchetd runs (consistent snapshot)");
  backup->add_option("FILE", *backup_file, "the copy (must not exist)")->required();
  backup->callback([&selected, backup_file] {
    selected = [backup_file](const std::string& path, const Output& output) {
      refuse_on_postgresql(path, "backup");
      if (std::filesystem::exists(*backup_file)) throw UsageError(*backup_file + " exists; choose another name");
      const auto bytes = schema::backup_database(path, *backup_file);
      output.done(fmt::format("backed up {} to {} ({} bytes, checked)", path, *backup_file, bytes),
                  {{"database", path}, {"backup", *backup_file}, {"bytes", bytes}});
      return 0;
    };
  });

  auto* check = app.add_subcommand("check", "verify the database: integrity, schema version, foreign keys");
  check->callback([&selected] {
    selected = [](const std::string& path, const Output& output) {
      refuse_on_postgresql(path, "check");
      if (!std::filesystem::is_regular_file(path)) throw UsageError("no database file at " + path);
      const auto report = schema::check_database(path);
      nlohmann::json j{{"database", path},
                       {"schemaVersion", report.schema_version},
                       {"latestSchemaVersion", report.latest_version},
                       {"ok", report.problems.empty()},
                       {"problems", report.problems}};
      std::vector<std::pair<std::string, std::string>> fields{
          {"database", path},
          {"schema version", fmt::format("{} (this uchet: {})", report.schema_version, report.latest_version)},
          {"result", report.problems.empty() ? "ok" : fmt::format("{} problems", report.problems.size())}};
      for (const auto& p : report.problems) fields.emplace_back("problem", p);
      output.fields(fields, j);
      return report.problems.empty() ? 0 : 1;
    };
  });

  auto restore_file = std::make_shared<std::string>();
  auto* restore = app.add_subcommand("restore", "replace the database by a backup (refused while uchetd runs)");
  restore->add_option("FILE", *restore_file, "a file made by uchetctl backup")->required();
  restore->callback([&selected, restore_file] {
    selected = [restore_file](const std::string& path, const Output& output) {
      refuse_on_postgresql(path, "restore");
      if (!std::filesystem::is_regular_file(*restore_file)) throw UsageError("no backup file at " + *restore_file);
      if (std::filesystem::exists(path) && std::filesystem::equivalent(*restore_file, path)) {
        throw UsageError("the backup is the database itself");
      }
      auto lock = schema::DatabaseLock::acquire(path, "uchetctl restore");
      if (!lock) throw UsageError("restore refused: " + lock.error() + "; stop uchetd first");
      schema::restore_database(*restore_file, path);
      output.done(fmt::format("restored {} from {}", path, *restore_file),
                  {{"database", path}, {"backup", *restore_file}});
      return 0;
    };
  });

  auto* storage_group = app.add_subcommand("storage", "what the database holds");
  storage_group->require_subcommand(1);
  auto* stats =
      storage_group->add_subcommand("stats", "rows, bytes and growth per day of each table, and the WAL size");
  stats->callback([&selected] { selected = storage_stats; });
}

}  // namespace uchet::cli
