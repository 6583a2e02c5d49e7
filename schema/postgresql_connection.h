#pragma once
// The PostgreSQL engine of a Database (an Engine of schema/connection.h), over libpq. Seen only by
// database.cpp.
//
// - One libpq connection per Database (used by one thread at a time, like SQLite's).
// - SQL keeps SQLite's `?` placeholders, rewritten to `$n` once per SQL text
//   (schema/postgresql_placeholders.h).
// - Parameters are typed from the bind calls: int64 → int8, double → float8, text → text,
//   blob → bytea (sent in binary), null → left to the server to infer. A statement is prepared
//   (PQprepare) at its first execution with those types and kept per connection keyed by
//   (SQL, types), so the hot path sends only Bind/Execute.
// - Results come in text format and are parsed on read: int64 (booleans read as 1/0, a
//   fraction truncated like SQLite does), double (Infinity/NaN included), text, bytea decoded
//   from PostgreSQL's hex form.
// - changes() is the row count of the last command; last_insert_rowid() is refused (use
//   INSERT … RETURNING id); in_transaction() is true from BEGIN until COMMIT/ROLLBACK, also
//   while the transaction is aborted by an error (a ROLLBACK TO a savepoint recovers it). A
//   COMMIT of an aborted transaction, which PostgreSQL turns into a rollback, throws.
// - Errors throw StorageError with PostgreSQL's message and SQLSTATE; the connection URI's
//   password never appears in them (schema/location.h).
#include <memory>
#include <string>

#include "schema/connection.h"

namespace uchet::schema {

// Connects to `uri` (a libpq connection URI). Throws StorageError if it cannot.
std::unique_ptr<Engine> open_postgresql(const std::string& uri);

// Replaces the URI's password (and the URI itself, by its printable form) in a libpq message;
// also used by the LISTEN connection (schema/notifications.cpp).
void mask_password(std::string& message, const std::string& uri);

}  // namespace uchet::schema
