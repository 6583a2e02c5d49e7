#pragma once
// The id an `INSERT … RETURNING id` statement reports, for the stores that hand a new row's id
// back. Both engines accept RETURNING (SQLite since 3.35), while the connection's
// last_insert_rowid() exists only on SQLite (schema/README.md, "Dialects"). Runs the statement
// on the caller's connection and thread; throws StorageError when it returns no row.
#include <cstdint>

#include "schema/statement.h"

namespace uchet::schema {

inline std::int64_t inserted_id(Statement& insert) {
  if (!insert.step()) throw StorageError("INSERT … RETURNING id returned no row");
  const std::int64_t id = insert.int64(0);
  while (insert.step()) {}  // let the statement finish before it goes back to the cache
  return id;
}

}  // namespace uchet::schema
