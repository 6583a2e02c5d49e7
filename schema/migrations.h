#pragma once
// The numbered migrations in schema/migrations/NNNN_title.sql, embedded at build time.
// A released migration is never edited: changes go into a new, higher-numbered file.
#include <vector>

namespace uchet::schema {

class Database;

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& migrations();

// The version a database is at (0 when empty) and the version this binary knows.
int schema_version(Database& db);
int latest_schema_version();

// Applies every pending migration, each in its own transaction together with its entry in
// the schema_version table. Throws StorageError for a database newer than this binary.
void migrate(Database& db);

}  // namespace uchet::schema
