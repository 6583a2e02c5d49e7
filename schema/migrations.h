#pragma once
// The numbered migrations, embedded at build time: schema/migrations/NNNN_title.sql for SQLite
// and schema/migrations/postgresql/NNNN_title.sql for PostgreSQL, the same numbers and titles in
// both (a test holds them in step), each leaving the same logical schema in its dialect.
// A released migration is never edited: changes go into a new, higher-numbered file.
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// The migrations of a dialect, in order.
const std::vector<Migration>& migrations(Dialect dialect = Dialect::sqlite);

// The version a database is at (0 when empty) and the version this binary knows.
int schema_version(Database& db);
int latest_schema_version();

// Applies every pending migration of the connection's dialect, each in its own transaction
// together with its entry in the schema_version table. Throws StorageError for a database newer
// than this binary. Processes migrating one database at once wait for each other.
void migrate(Database& db);

// Applies every migration of the connection's dialect to an empty database (no schema_version
// table yet) inside the caller's transaction, so that they commit or roll back with the work
// that follows: the copy of uchetctl migrate (schema/database_copy.h), whose target stays empty
// if the copy fails.
void migrate_empty_database(const UnitOfWork& work);

}  // namespace uchet::schema
