// migrate: copies the whole database (--db, uchetd stopped) into a new, empty one on the other
// engine and proves the copy (schema/database_copy.h): `--to-postgresql DSN` moves an SQLite file
// over, `--to-sqlite FILE` moves a PostgreSQL database back. Like backup and restore it works on
// the database as a whole, outside the one-transaction frame of the other commands, and it does
// not migrate the source first (it never writes the source).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "schema/database_copy.h"
#include "schema/database_lock.h"
#include "schema/location.h"
#include "tools/uchetctl/commands.h"

namespace uchet::cli {
namespace {

struct MigrateArgs {
  std::string to_postgresql;
  std::string to_sqlite;
};

// A new SQLite target left behind by a copy that did not commit is removed with its companions,
// so the operator can run the command again with the same name.
void remove_sqlite_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix, ec);
}

int migrate(const std::string& source, const MigrateArgs& args, const Output& output) {
  const bool to_postgresql = !args.to_postgresql.empty();
  const std::string& target = to_postgresql ? args.to_postgresql : args.to_sqlite;
  const std::string source_name = schema::printable_location(source);
  const std::string target_name = schema::printable_location(target);
  if (to_postgresql != schema::is_postgresql_location(target)) {
    throw UsageError(to_postgresql ? "--to-postgresql takes a postgresql:// URI, not " + target_name
                                   : "--to-sqlite takes a file path, not a URI (" + target_name + ")");
  }
  if (schema::is_postgresql_location(source) == to_postgresql) {
    throw UsageError(fmt::format("the database {} is already {}; migrate moves between SQLite and PostgreSQL",
                                 source_name, to_postgresql ? "on PostgreSQL" : "an SQLite file"));
  }
  if (!schema::is_postgresql_location(source) && !std::filesystem::is_regular_file(source)) {
    throw UsageError("no database file at " + source);
  }
  if (!to_postgresql && std::filesystem::exists(target)) {
    throw UsageError(target + " exists; migrate writes a new file and never overwrites one");
  }

  // Neither database may be in use: a running uchetd holds its lock (and would write during the
  // copy, or start on a half-filled target).
  auto source_lock = schema::DatabaseLock::acquire(source, "uchetctl migrate");
  if (!source_lock) throw UsageError("migrate refused: " + source_lock.error() + "; stop uchetd first");
  auto source_db = schema::Database::open_raw(source);
  const bool created_file = !to_postgresql;
  std::optional<schema::DatabaseLock> target_lock;
  std::optional<schema::Database> target_db;
  try {
    auto lock = schema::DatabaseLock::acquire(target, "uchetctl migrate");
    if (!lock) throw UsageError("migrate refused: " + lock.error());
    target_lock.emplace(std::move(*lock));
    target_db.emplace(schema::Database::open_raw(target));
  } catch (...) {
    if (created_file) remove_sqlite_files(target);
    throw;
  }

  schema::CopyOptions options;
  options.progress = [](const std::string& table, std::int64_t copied, std::int64_t total) {
    std::cerr << fmt::format("uchetctl migrate: {} {}/{} rows\n", table, copied, total);
  };
  std::expected<schema::CopyReport, std::string> copied;
  try {
    copied = schema::copy_database(source_db, *target_db, options);
  } catch (...) {
    if (created_file) {
      target_db.reset();
      target_lock.reset();
      remove_sqlite_files(target);
    }
    throw;
  }
  if (created_file && (!copied || !copied->verified)) {
    target_db.reset();
    target_lock.reset();
    remove_sqlite_files(target);
  }
  if (!copied) throw UsageError("migrate refused: " + copied.error() + " (nothing was written)");

  Table t{{"TABLE", "SOURCE ROWS", "TARGET ROWS", "CHECKSUM"}, {}};
  auto tables = nlohmann::json::array();
  for (const auto& c : copied->tables) {
    t.rows.push_back(
        {c.table, std::to_string(c.source_rows), std::to_string(c.target_rows), c.matches() ? "match" : "MISMATCH"});
    tables.push_back({{"table", c.table},
                      {"sourceRows", c.source_rows},
                      {"targetRows", c.target_rows},
                      {"sourceChecksum", c.source_checksum},
                      {"targetChecksum", c.target_checksum},
                      {"match", c.matches()}});
  }
  output.table(t, {{"source", source_name},
                   {"target", target_name},
                   {"schemaVersion", copied->schema_version},
                   {"verified", copied->verified},
                   {"tables", tables}});
  if (!copied->verified) {
    std::cerr << "uchetctl migrate: the copy in " << target_name
              << " does not match the source (see the table); it was not committed, the target is as empty as "
                 "before and "
              << source_name << " is untouched\n";
    return 1;
  }
  if (!output.json) {
    output.out << fmt::format(
        "\ncopied {} to {} at schema version {}: every table's rows and checksum match; {} is unchanged\n", source_name,
        target_name, copied->schema_version, source_name);
  }
  return 0;
}

}  // namespace

void add_migrate_commands(CLI::App& app, Maintenance& selected) {
  auto args = std::make_shared<MigrateArgs>();
  auto* cmd = app.add_subcommand(
      "migrate", "copy the database (uchetd stopped) into a new, empty one on the other engine, and verify it");
  auto* pg = cmd->add_option("--to-postgresql", args->to_postgresql,
                             "an empty PostgreSQL database (postgresql:// URI) to move the SQLite --db into");
  auto* lite = cmd->add_option("--to-sqlite", args->to_sqlite,
                               "a new SQLite file to move the PostgreSQL --db back into (must not exist)");
  pg->excludes(lite);
  cmd->require_option(1);
  cmd->callback([&selected, args] {
    selected = [args](const std::string& path, const Output& output) { return migrate(path, *args, output); };
  });
}

}  // namespace uchet::cli
