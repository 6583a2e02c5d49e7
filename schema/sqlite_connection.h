#pragma once
// The SQLite engine of a Database (an Engine of schema/connection.h): one connection opened NOMUTEX in WAL
// mode, its statements prepared with sqlite3_prepare_v2. Seen only by database.cpp and by the
// SQLite-only parts of schema/ (the checkpointer, the online backup), which reach the raw handle
// through sqlite_handle().
#include <sqlite3.h>

#include <memory>
#include <string>

#include "schema/connection.h"

namespace uchet::schema {

// Opens the file (creating it and its folder), in WAL mode with foreign keys on. Throws
// StorageError if it cannot be opened.
std::unique_ptr<Engine> open_sqlite(const std::string& path);

// The SQLite handle of a Database; throws StorageError for a connection of another engine
// (the SQLite-only facilities refuse it).
sqlite3* sqlite_handle(Database& db, std::string_view facility);

}  // namespace uchet::schema
