#pragma once
// Contract: copies of a uchet database that are safe to take while uchetd writes, their check,
// and putting one back. Called by uchetctl (backup, check, restore) on its own connections; each
// function opens what it needs and throws StorageError on an SQLite failure it cannot explain
// better.
//
// Why SQLite's online backup API and not VACUUM INTO: both read one consistent snapshot and,
// the database being in WAL mode, neither ever blocks uchetd's writer. The backup API copies
// pages in steps, with a pause between them, so a large file is copied without taking the disk
// from the radio path for the whole time, and it reports progress; VACUUM INTO rebuilds every
// table and index in one statement (more CPU, no pause possible). The snapshot is held by a read
// transaction opened before the first step: without it SQLite would restart the copy each time
// another connection commits, and under uchetd's steady writes it would never finish. While the
// snapshot is open the WAL cannot start over, so it grows by what is written during the backup
// (a few MB a minute at everyday rates); it is reset at the next checkpoint after.
//
// The copy is written to FILE.partial, synced and renamed to FILE only when complete and
// checked, so a FILE that exists is a whole backup.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace uchet::schema {

struct BackupOptions {
  int pages_per_step = 1024;                               // 4 MiB with 4 KiB pages
  std::chrono::milliseconds pause{10};                     // between steps
  std::function<void(int remaining, int total)> progress;  // after each step, if set
};

// Copies `source` to `destination` (which must not exist). Returns the size of the copy in bytes.
// Throws StorageError (the source missing, the destination existing, a failed step or check).
std::int64_t backup_database(const std::string& source, const std::string& destination,
                             const BackupOptions& options = {});

struct CheckReport {
  int schema_version = 0;             // of the file
  int latest_version = 0;             // this binary's
  std::vector<std::string> problems;  // empty: the database is sound
};

// PRAGMA integrity_check, the schema version (newer than this binary is a problem; older is
// not: it is migrated when next opened) and PRAGMA foreign_key_check. Opens the file without
// migrating or changing it. A missing file throws StorageError.
CheckReport check_database(const std::string& path);

// Replaces the contents of `database` by those of `backup` (checked first: a backup with
// problems is refused with them). The caller holds the DatabaseLock (schema/database_lock.h)
// so that no uchetd runs on `database`; uchetctl's other commands wait for SQLite's lock.
void restore_database(const std::string& backup, const std::string& database);

}  // namespace uchet::schema
