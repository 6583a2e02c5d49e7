#pragma once
// Where a test keeps its database, on the backend the test run is for: UCHET_TEST_STORAGE unset
// or "sqlite" means an SQLite file in the test's temporary folder; "postgresql" means a fresh,
// empty database on the test cluster (tools/pg-test-cluster, started for the whole ctest run by
// the `postgresql` fixture of tests/CMakeLists.txt, in UCHET_TEST_PG_DIR or the build folder's
// pg-test). Every test that opens a database or writes [storage] into a uchetd configuration
// takes its location from here, so registering it a second time with
// UCHET_TEST_STORAGE=postgresql (uchet_test(... BOTH_STORAGES)) runs it on PostgreSQL.
//
// The PostgreSQL databases a test process creates are dropped when it exits. Not thread-safe
// (tests call it from their main thread).
#include <filesystem>
#include <string>

namespace uchet::test {

// `dir / "uchet.db"` on SQLite; on PostgreSQL the URI of a new, empty database, created at the
// first call for `dir` (later calls for the same folder return the same database, as the same
// file path would on SQLite).
std::string test_database_location(const std::filesystem::path& dir);

// The URI of a new, empty database on the test cluster, whatever this run's storage (tests that
// move data between the engines: uchetctl migrate); dropped when the process exits like the
// others.
std::string new_postgresql_database();

// The [storage] keys of a uchetd configuration for `location` (without the section header):
// `path = "…"` for an SQLite file, `backend = "postgresql"` and `dsn = "…"` for a URI.
std::string storage_config(const std::string& location);

// True when this run's storage is PostgreSQL.
bool testing_postgresql();

// The test cluster's socket folder (meaningful when testing_postgresql()).
std::string test_cluster_dir();

}  // namespace uchet::test
