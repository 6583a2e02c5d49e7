#pragma once
// Contract: whether the database can take a write now, for uchetd's /ready. Run on a connection
// of its own (never the network server's writer), writing nothing. SQLite: it takes the write
// lock for an instant (BEGIN IMMEDIATE, then ROLLBACK), waiting for the lock at most as long as
// every uchet connection does (5 s); fails with a reason when the lock cannot be had or the file
// cannot be written (read-only file system, disk trouble). PostgreSQL: it opens a transaction
// and takes a transaction id, then rolls back; fails when the transaction is read-only (a
// standby, default_transaction_read_only), the server refuses new transaction ids, or the
// connection is lost.
#include <expected>
#include <string>

#include "schema/database.h"

namespace uchet::schema {

std::expected<void, std::string> check_writable(Database& db);

}  // namespace uchet::schema
