#include "schema/migrations.h"
#include "schema/statement.h"

#include <string>

#include "schema/database.h"

namespace uchet::schema {

int latest_schema_version() { return migrations().empty() ? 0 : migrations().back().version; }

int schema_version(Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER "
      "NOT NULL)");
  Statement q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  q.step();
  return static_cast<int>(q.int64(0));
}

namespace {

// PostgreSQL's BEGIN takes no lock: two processes opening a fresh database at once would both
// run a migration. A transaction-level advisory lock (released at COMMIT/ROLLBACK) serialises
// them as SQLite's BEGIN IMMEDIATE does; the key is fixed ("uchet mi" in ASCII).
void serialise_migrations(Database& db) {
  if (db.dialect() != Dialect::postgresql) return;
  Statement(db, "SELECT pg_advisory_xact_lock(8458719310081191273)").run();
}

// One migration and its schema_version row, inside the caller's transaction.
void apply(Database& db, const Migration& m) {
  db.exec(m.sql);
  Statement(db, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")
      .bind(1, m.version)
      .bind(2, m.name)
      .bind(3, unix_now())
      .run();
}

}  // namespace

void migrate(Database& db) {
  const auto& all = migrations(db.dialect());
  int current = schema_version(db);
  int latest = all.empty() ? 0 : all.back().version;
  if (current > latest) {
    throw StorageError("database schema version " + std::to_string(current) +
                       " is newer than this uchet (knows up to " + std::to_string(latest) +
                       "); upgrade uchet before opening it");
  }
  for (const auto& m : all) {
    if (m.version <= current) continue;
    Transaction tx(db);
    serialise_migrations(db);
    // Another process may have migrated between our check and taking the write lock.
    if (schema_version(db) >= m.version) continue;
    apply(db, m);
    tx.commit();
  }
}

void migrate_empty_database(const UnitOfWork& work) {
  Database& db = work;
  schema_version(db);  // creates the table
  for (const auto& m : migrations(db.dialect())) apply(db, m);
}

}  // namespace uchet::schema
