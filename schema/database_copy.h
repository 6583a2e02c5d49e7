#pragma once
// Copies a whole uchet database into an empty one, on either engine (SQLite → PostgreSQL to move
// over, PostgreSQL → SQLite to move back), and proves the copy: `uchetctl migrate` calls it.
//
// Contract of copy_database(source, target):
// - Refused, with nothing written anywhere, when: the source is not at this binary's schema
//   version (an older one is brought up by opening it with uchetd or any ordinary uchetctl
//   command first; the copier never writes the source), or the target is not empty (any table at
//   all: it never overwrites).
// - The caller holds both databases for itself (schema/database_lock.h: the file lock or the
//   PostgreSQL advisory lock uchetd takes), so no uchetd runs on either during the copy.
// - One transaction on the target holds everything: the target's own migrations up to the same
//   version (so it gets its dialect's DDL: identity columns, PL/pgSQL triggers), the rows of
//   every table of the source's catalogue but schema_version, the sequences' high-water marks,
//   and the verification. It commits only when every table's row count and checksum match, so a
//   failure or a mismatch leaves the target empty again. The source is read in one read
//   transaction (one snapshot) and never written.
// - While rows are loaded the target's own triggers are off (PostgreSQL: ALTER TABLE … DISABLE
//   TRIGGER USER, which the owner of the tables may do, unlike session_replication_role, which
//   needs a superuser; SQLite: the triggers are dropped and created again from their own SQL in
//   the same transaction). They must be: the registry_version counter, the outbox → http_outbox
//   copy and the remembered queue item ids are rows of their own, copied as they are, and the
//   append-only lifecycle_event table refuses the deletion of the rows the migrations seed.
//   Foreign keys stay checked: tables are loaded parents first (from the target's catalogue), so
//   a source row whose parent is missing fails the copy instead of arriving.
// - Values are copied by column name as the source holds them: integer, double, text, blob or
//   null. A value whose type is not its column's (SQLite's dynamic typing allows text in an
//   INTEGER column) refuses the copy, naming the table, the row's primary key and the column.
//   Wrapped keys are copied as stored, with the key_encryption row: the same kek_file opens the
//   target.
// - Identity sequences (PostgreSQL) end above the largest id and at least at the source's
//   high-water mark (SQLite's sqlite_sequence for the AUTOINCREMENT tables: outbox, http_outbox,
//   downlink_queue), so an id deleted before the move is never handed out again; moving back
//   carries PostgreSQL's sequences into sqlite_sequence.
// - Verification (table_checksum below): per table, the count and checksum of the rows read from
//   the source during the copy against those read back from the target inside the transaction.
//
// Runs on the caller's thread; the two Databases must not be used elsewhere meanwhile. Failures
// of an engine throw StorageError (the target's transaction rolled back).
#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "schema/database.h"
#include "schema/statement.h"

namespace uchet::schema {

// One value as read through a Statement; `bytes` holds a text's or a blob's content.
struct CopiedValue {
  ValueType type = ValueType::null;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string bytes;
};

// The checksum of a table's rows, independent of their order: each row's canonical encoding
// (per value a type tag, then an integer as 8 bytes big-endian, a double as its 8-byte IEEE-754
// bit pattern, a text or blob as its 8-byte length and its bytes, a null as the tag alone) is
// hashed with SHA-256, and the digests are added as 256-bit numbers (mod 2^256). Order-free
// because the engines order text keys differently (SQLite by bytes, PostgreSQL by the database's
// collation); a sum of digests still changes with any changed, missing or extra row.
class TableChecksum {
 public:
  void add_row(const std::vector<CopiedValue>& row);
  std::int64_t rows() const { return rows_; }
  // 64 hex digits: SHA-256 of the row count and the sum.
  std::string hex() const;

 private:
  std::array<std::uint8_t, 32> sum_{};
  std::int64_t rows_ = 0;
  std::string encoded_;  // reused between rows
};

struct TableCopy {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::string source_checksum;
  std::string target_checksum;
  bool matches() const { return source_rows == target_rows && source_checksum == target_checksum; }
};

struct CopyReport {
  int schema_version = 0;
  std::vector<TableCopy> tables;  // in the order they were copied
  bool verified = false;          // every table matches: the target was committed
};

struct CopyOptions {
  // Called every `progress_every` rows of a table and at its end, with the table's row count.
  std::int64_t progress_every = 100000;
  std::function<void(const std::string& table, std::int64_t copied, std::int64_t total)> progress;
  // Tests only: runs on the target inside the copy's transaction, after the rows were written and
  // before they are read back (to prove a changed value is caught).
  std::function<void(Database& target)> before_verify;
};

// Copies `source` into `target` under the contract above. A refusal (a precondition, or a value
// of the wrong type) is the error, a sentence for the operator; a mismatch is a report with
// verified == false (nothing committed).
std::expected<CopyReport, std::string> copy_database(Database& source, Database& target,
                                                     const CopyOptions& options = {});

}  // namespace uchet::schema
