#include "schema/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "schema/migrations.h"
#include "schema/sqlite_connection.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

void require_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw StorageError("no database file at " + path);
}

void sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw StorageError("cannot open " + path + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw StorageError("cannot sync " + path);
}

// Copies every page of `from` into `to` with the backup API; `from` is read in the snapshot of
// its open read transaction if it has one.
void copy_pages(Database& from, Database& to, const BackupOptions& options) {
  sqlite3* src = sqlite_handle(from, "the online backup");
  sqlite3* dst = sqlite_handle(to, "the online backup");
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (!backup) to.fail("backup cannot start");
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, options.pages_per_step);
    if (options.progress && (rc == SQLITE_OK || rc == SQLITE_DONE)) {
      options.progress(sqlite3_backup_remaining(backup), sqlite3_backup_pagecount(backup));
    }
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(options.pause);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) to.fail("backup step failed");
}

}  // namespace

std::int64_t backup_database(const std::string& source, const std::string& destination, const BackupOptions& options) {
  require_file(source);
  if (std::filesystem::exists(destination)) throw StorageError(destination + " exists; not overwritten");
  const std::string partial = destination + ".partial";
  std::filesystem::remove(partial);
  {
    Database from = Database::open_raw(source);
    // The snapshot: every step reads the database as it was here, whatever uchetd commits since.
    from.exec("BEGIN");
    {
      Statement pin(from, "SELECT COUNT(*) FROM sqlite_schema");
      pin.step();
    }
    Database to = Database::open_raw(partial);
    copy_pages(from, to, options);
    from.exec("ROLLBACK");
    // The copy says WAL mode (its header came from the source); fold its own WAL in so that the
    // backup is one self-contained file.
    to.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::filesystem::remove(partial + "-wal");
  std::filesystem::remove(partial + "-shm");
  const auto report = check_database(partial);
  if (!report.problems.empty()) {
    throw StorageError("the copy failed its check (" + report.problems.front() + "); left at " + partial);
  }
  sync_path(partial, false);
  std::filesystem::rename(partial, destination);
  const auto parent = std::filesystem::absolute(destination).parent_path();
  sync_path(parent.string(), true);
  return static_cast<std::int64_t>(std::filesystem::file_size(destination));
}

CheckReport check_database(const std::string& path) {
  require_file(path);
  CheckReport report;
  report.latest_version = latest_schema_version();
  Database db = Database::open_raw(path);
  {
    Statement q(db, "PRAGMA integrity_check");
    while (q.step()) {
      if (auto line = q.text(0); line != "ok") report.problems.push_back("integrity: " + line);
    }
  }
  bool has_versions = false;
  {
    Statement q(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
    q.step();
    has_versions = q.int64(0) == 1;
  }
  if (!has_versions) {
    report.problems.push_back("no schema_version table: not a uchet database");
    return report;
  }
  report.schema_version = schema_version(db);
  if (report.schema_version > report.latest_version) {
    report.problems.push_back("schema version " + std::to_string(report.schema_version) +
                              " is newer than this uchet's (" + std::to_string(report.latest_version) + ")");
  }
  {
    Statement q(db, "PRAGMA foreign_key_check");
    while (q.step()) {
      report.problems.push_back("foreign key: " + q.text(0) + " row " +
                                (q.is_null(1) ? std::string("?") : std::to_string(q.int64(1))) +
                                " refers to a missing row of " + q.text(2));
    }
  }
  return report;
}

void restore_database(const std::string& backup, const std::string& database) {
  const auto report = check_database(backup);
  if (!report.problems.empty())
    throw StorageError("the backup " + backup + " is not sound: " + report.problems.front());
  Database from = Database::open_raw(backup);
  Database to = Database::open_raw(database);
  copy_pages(from, to, BackupOptions{.pages_per_step = -1});
  to.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace uchet::schema
