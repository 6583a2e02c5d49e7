#include "schema/health.h"

#include "schema/statement.h"

namespace uchet::schema {
namespace {

// What "can take a write now" means per engine. SQLite: the write lock can be had (BEGIN
// IMMEDIATE). PostgreSQL has no database-wide write lock; a write fails when the transaction is
// read-only (a standby, or default_transaction_read_only set by the operator) or the server
// cannot hand out transaction ids (a standby, wraparound protection): the check asks for one,
// pg_current_xact_id(), without touching a table, and reads transaction_read_only.
void try_write(Database& db) {
  if (db.dialect() == Dialect::postgresql) {
    db.exec("BEGIN");
    Statement q(db, "SELECT current_setting('transaction_read_only'), pg_current_xact_id()");
    q.step();
    const bool read_only = q.text(0) == "on";
    q.reset();
    if (read_only) throw StorageError("the database accepts no writes: its transactions are read-only");
  } else {
    db.exec("BEGIN IMMEDIATE");
  }
  db.exec("ROLLBACK");
}

}  // namespace

std::expected<void, std::string> check_writable(Database& db) {
  try {
    try_write(db);
    return {};
  } catch (const StorageError& e) {
    if (db.in_transaction()) {
      try {
        db.exec("ROLLBACK");
      } catch (const StorageError&) {}
    }
    return std::unexpected(e.what());
  }
}

}  // namespace uchet::schema
