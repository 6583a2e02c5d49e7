#pragma once
// SQL a test runs itself on the database at a location (an SQLite file or a PostgreSQL URI,
// tests/support/test_storage.h) through schema::Database, so one test body works on both engines:
// rows no command makes (readings of past months, a second object with fixed ids) and values read
// back to check what was stored. Values are read typed (integers, doubles, blobs), not as an SQL
// shell prints them, because the shells print them differently (1.0 / 1, BLOB bytes / \x…).
//
// Each call opens its own connection, without migrating (alongside a running uchetd or uchetctl,
// like the sqlite3 shell or psql would). The SQL itself must be valid on both engines
// (schema/README.md, "Dialects"). Failures throw schema::StorageError. Not thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uchet::test {

// Runs `statements` (one or several, separated by ';') in one transaction, then brings
// PostgreSQL's identity sequences level with rows inserted with explicit ids
// (schema::advance_identity_sequences), so later inserts by uchetctl or uchetd get fresh ids.
void sql_exec(const std::string& location, const std::string& statements);

// The first column of every row `query` returns, read as an integer, a double, text (NULL as
// nullopt) or bytes.
std::vector<std::int64_t> sql_int64s(const std::string& location, const std::string& query);
std::vector<double> sql_reals(const std::string& location, const std::string& query);
std::vector<std::optional<std::string>> sql_texts(const std::string& location, const std::string& query);
std::vector<std::vector<std::uint8_t>> sql_blobs(const std::string& location, const std::string& query);

// Every row of every table but schema_version, one line per row in a fixed order, each value as
// the engine gives it as text (NULL marked apart from an empty text): two snapshots of one
// database compare equal when no row was added, removed or changed. Identity sequences are left
// out on purpose: a command refused after it took an id (an insert rolled back) changed nothing.
std::string database_rows(const std::string& location);

}  // namespace uchet::test
