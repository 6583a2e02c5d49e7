#pragma once
// Contract: whether the database can take a write now, for uchetd's /ready. Run on a connection
// of its own (never the network server's writer): it takes the write lock for an instant
// (BEGIN IMMEDIATE, then ROLLBACK), writing nothing, waiting for the lock at most as long as
// every uchet connection does (5 s). Fails with a reason when the lock cannot be had or the
// file cannot be written (read-only file system, disk trouble).
#include <expected>
#include <string>

#include "schema/database.h"

namespace uchet::schema {

std::expected<void, std::string> check_writable(Database& db);

}  // namespace uchet::schema
