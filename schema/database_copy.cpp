#include "schema/database_copy.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "netserver/lorawan/encoding.h"
#include "schema/identity_sequences.h"
#include "schema/migrations.h"

namespace uchet::schema {
namespace {

// A refusal found while copying (a value of the wrong type, a schema that differs): the copy's
// transaction rolls back and the sentence becomes copy_database's error.
struct Refusal {
  std::string why;
};

// Names come from the catalogues, never from a user; quoting still keeps any name whole.
std::string quoted(const std::string& name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  return q + "\"";
}

// The values a column may hold, from its declared type: SQLite's affinity rules (section 3.1 of
// its "Datatypes" page) or PostgreSQL's type. `numeric` (SQLite only) holds integers or reals.
enum class ColumnKind { integer, real, numeric, text, blob };

const char* kind_name(ColumnKind k) {
  switch (k) {
    case ColumnKind::integer:
      return "integer";
    case ColumnKind::real:
      return "real";
    case ColumnKind::numeric:
      return "numeric";
    case ColumnKind::text:
      return "text";
    case ColumnKind::blob:
      return "blob";
  }
  return "?";
}

const char* value_name(ValueType t) {
  switch (t) {
    case ValueType::null:
      return "null";
    case ValueType::integer:
      return "an integer";
    case ValueType::real:
      return "a real";
    case ValueType::text:
      return "a text";
    case ValueType::blob:
      return "a blob";
  }
  return "?";
}

ColumnKind sqlite_affinity(std::string declared) {
  std::transform(declared.begin(), declared.end(), declared.begin(), [](unsigned char c) { return std::toupper(c); });
  auto has = [&](const char* s) { return declared.find(s) != std::string::npos; };
  if (has("INT")) return ColumnKind::integer;
  if (has("CHAR") || has("CLOB") || has("TEXT")) return ColumnKind::text;
  if (has("BLOB") || declared.empty()) return ColumnKind::blob;
  if (has("REAL") || has("FLOA") || has("DOUB")) return ColumnKind::real;
  return ColumnKind::numeric;
}

ColumnKind postgresql_kind(const std::string& type) {
  if (type == "bigint" || type == "integer" || type == "smallint" || type == "boolean") return ColumnKind::integer;
  if (type == "double precision" || type == "real") return ColumnKind::real;
  if (type == "bytea") return ColumnKind::blob;
  return ColumnKind::text;  // text, character varying, …: read and written as text
}

bool fits(ColumnKind kind, ValueType value) {
  switch (value) {
    case ValueType::null:
      return true;
    case ValueType::integer:
      return kind == ColumnKind::integer || kind == ColumnKind::numeric;
    case ValueType::real:
      return kind == ColumnKind::real || kind == ColumnKind::numeric;
    case ValueType::text:
      return kind == ColumnKind::text;
    case ValueType::blob:
      return kind == ColumnKind::blob;
  }
  return false;
}

struct Column {
  std::string name;
  ColumnKind kind;
};

struct TableShape {
  std::vector<Column> columns;           // in the table's order
  std::vector<std::string> primary_key;  // in the key's order; empty: none
};

// --- catalogues (a dialect branch each: the engines describe themselves differently) ---

std::vector<std::string> table_names(Database& db) {
  std::vector<std::string> names;
  Statement q(db,
              db.dialect() == Dialect::sqlite
                  ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                    "ORDER BY name"
                  : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                    "AND table_type = 'BASE TABLE' ORDER BY table_name");
  while (q.step()) names.push_back(q.text(0));
  return names;
}

TableShape table_shape(Database& db, const std::string& table) {
  TableShape shape;
  if (db.dialect() == Dialect::sqlite) {
    std::vector<std::pair<std::int64_t, std::string>> key;
    Statement q(db, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid");
    q.bind(1, table);
    while (q.step()) {
      shape.columns.push_back({q.text(0), sqlite_affinity(q.text(1))});
      if (q.int64(2) > 0) key.emplace_back(q.int64(2), q.text(0));
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) shape.primary_key.push_back(name);
    return shape;
  }
  Statement q(db,
              "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
              "AND table_name = ? ORDER BY ordinal_position");
  q.bind(1, table);
  while (q.step()) shape.columns.push_back({q.text(0), postgresql_kind(q.text(1))});
  Statement k(db,
              "SELECT u.column_name FROM information_schema.table_constraints c "
              "JOIN information_schema.key_column_usage u ON u.constraint_name = c.constraint_name "
              "AND u.table_schema = c.table_schema AND u.table_name = c.table_name "
              "WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY' "
              "ORDER BY u.ordinal_position");
  k.bind(1, table);
  while (k.step()) shape.primary_key.push_back(k.text(0));
  return shape;
}

// The tables `table` refers to by foreign key (itself excluded).
std::set<std::string> parent_tables(Database& db, const std::string& table) {
  std::set<std::string> parents;
  Statement q(db, db.dialect() == Dialect::sqlite
                      ? "SELECT \"table\" FROM pragma_foreign_key_list(?)"
                      : "SELECT r.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                        "JOIN pg_class r ON r.oid = c.confrelid WHERE c.contype = 'f' AND t.relname = ? "
                        "AND t.relnamespace = CAST(current_schema() AS regnamespace)");
  q.bind(1, table);
  while (q.step()) {
    if (q.text(0) != table) parents.insert(q.text(0));
  }
  return parents;
}

// The schema version a database was migrated to; nullopt when it has no schema_version table
// (nothing uchet made). Read from the catalogue first: schema_version() would create the table.
std::optional<int> stored_schema_version(Database& db) {
  const auto names = table_names(db);
  if (std::find(names.begin(), names.end(), "schema_version") == names.end()) return std::nullopt;
  Statement q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  q.step();
  return static_cast<int>(q.int64(0));
}

// Tables ordered parents first (Kahn's algorithm over the foreign keys, ties by name), so every
// row's parent is loaded before it with the foreign keys checked.
std::vector<std::string> parents_first(Database& db, const std::vector<std::string>& tables) {
  std::map<std::string, std::set<std::string>> waiting_for;
  const std::set<std::string> copied(tables.begin(), tables.end());
  for (const auto& t : tables) {
    for (const auto& p : parent_tables(db, t)) {
      if (copied.contains(p)) waiting_for[t].insert(p);
    }
  }
  std::vector<std::string> order;
  std::set<std::string> done;
  while (order.size() < tables.size()) {
    bool progressed = false;
    for (const auto& t : tables) {
      if (done.contains(t)) continue;
      const auto& needs = waiting_for[t];
      if (!std::all_of(needs.begin(), needs.end(), [&](const std::string& p) { return done.contains(p); })) continue;
      order.push_back(t);
      done.insert(t);
      progressed = true;
    }
    if (!progressed) throw Refusal{"the tables' foreign keys form a cycle; uchetctl migrate cannot order them"};
  }
  return order;
}

// A PostgreSQL identity column's sequence and the highest value it has handed out (0: none).
struct IdentitySequence {
  std::string table;
  std::string sequence;  // as pg_get_serial_sequence names it (quoted and qualified as needed)
  std::int64_t handed_out = 0;
};

std::vector<IdentitySequence> identity_sequences(Database& db) {
  std::vector<std::pair<std::string, std::string>> columns;
  {
    Statement q(db,
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND is_identity = 'YES'");
    while (q.step()) columns.emplace_back(q.text(0), q.text(1));
  }
  std::vector<IdentitySequence> sequences;
  for (const auto& [table, column] : columns) {
    Statement name(db, "SELECT pg_get_serial_sequence(?, ?)");
    name.bind(1, quoted(table)).bind(2, column);
    name.step();
    IdentitySequence s{table, name.text(0), 0};
    // A sequence that has handed out nothing yet has is_called false and last_value its start.
    Statement state(db, "SELECT last_value, is_called FROM " + s.sequence);
    state.step();
    s.handed_out = state.int64(1) != 0 ? state.int64(0) : state.int64(0) - 1;
    sequences.push_back(std::move(s));
  }
  return sequences;
}

// The highest id each table's sequence has handed out, deleted rows included: SQLite's
// sqlite_sequence (AUTOINCREMENT tables only: the others may reuse a deleted largest id anyway),
// PostgreSQL's identity sequences.
std::map<std::string, std::int64_t> high_water_marks(Database& db) {
  std::map<std::string, std::int64_t> marks;
  if (db.dialect() == Dialect::sqlite) {
    Statement has(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'");
    if (!has.step()) return marks;
    Statement q(db, "SELECT name, seq FROM sqlite_sequence");
    while (q.step()) marks[q.text(0)] = q.int64(1);
    return marks;
  }
  for (const auto& s : identity_sequences(db)) {
    if (s.handed_out > 0) marks[s.table] = s.handed_out;
  }
  return marks;
}

// Raises the target's sequences to the source's marks (never lowers them). On PostgreSQL after
// advance_identity_sequences has brought them above the largest id copied.
void raise_high_water_marks(Database& db, const std::map<std::string, std::int64_t>& marks) {
  if (db.dialect() == Dialect::sqlite) {
    for (const auto& [table, mark] : marks) {
      Statement autoincrement(db,
                              "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? AND sql LIKE "
                              "'%AUTOINCREMENT%'");
      autoincrement.bind(1, table);
      if (!autoincrement.step()) continue;
      Statement raise(db, "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?");
      raise.bind(1, mark).bind(2, table).run();
      if (db.changes() == 0) {
        Statement(db, "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)").bind(1, table).bind(2, mark).run();
      }
    }
    return;
  }
  for (const auto& s : identity_sequences(db)) {
    auto mark = marks.find(s.table);
    if (mark == marks.end() || mark->second <= s.handed_out) continue;
    Statement(db, "SELECT setval(CAST(? AS regclass), ?)").bind(1, s.sequence).bind(2, mark->second).run();
  }
}

// --- triggers off while loading ---

// The target's triggers are switched off for the load and back on before the verification.
// PostgreSQL: DISABLE TRIGGER USER (the tables' owner may; the foreign-key triggers stay on).
// SQLite has no switch: the triggers are dropped and created again from their own SQL, all in
// the copy's transaction.
class TriggersOff {
 public:
  TriggersOff(Database& db, const std::vector<std::string>& tables) : db_(db), tables_(tables) {
    if (db_.dialect() == Dialect::postgresql) {
      for (const auto& t : tables_) db_.exec("ALTER TABLE " + quoted(t) + " DISABLE TRIGGER USER");
      return;
    }
    {
      Statement q(db_, "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name");
      while (q.step()) triggers_.emplace_back(q.text(0), q.text(1));
    }
    for (const auto& [name, sql] : triggers_) db_.exec("DROP TRIGGER " + quoted(name));
  }
  void restore() {
    if (db_.dialect() == Dialect::postgresql) {
      for (const auto& t : tables_) db_.exec("ALTER TABLE " + quoted(t) + " ENABLE TRIGGER USER");
      return;
    }
    for (const auto& [name, sql] : triggers_) db_.exec(sql);
  }

 private:
  Database& db_;
  std::vector<std::string> tables_;
  std::vector<std::pair<std::string, std::string>> triggers_;
};

// --- reading a whole table ---

// The rows of a SELECT, one at a time. SQLite steps through them as they are read; libpq would
// hold a whole result in memory (millions of readings), so on PostgreSQL the SELECT is a cursor
// of the open transaction, fetched in batches.
class RowReader {
 public:
  RowReader(Database& db, const std::string& select) : db_(db) {
    if (db_.dialect() == Dialect::sqlite) {
      statement_.emplace(db_, select);
      return;
    }
    db_.exec("DECLARE uchet_copy NO SCROLL CURSOR FOR " + select);
    statement_.emplace(db_, "FETCH FORWARD 5000 FROM uchet_copy");
  }
  ~RowReader() {
    if (db_.dialect() != Dialect::postgresql) return;
    statement_.reset();
    try {
      db_.exec("CLOSE uchet_copy");
    } catch (const StorageError&) {
      // The transaction failed: the cursor went with it.
    }
  }
  RowReader(const RowReader&) = delete;
  RowReader& operator=(const RowReader&) = delete;

  bool next() {
    if (statement_->step()) return true;
    if (db_.dialect() == Dialect::sqlite || exhausted_) return false;
    statement_->reset();  // the next batch
    if (statement_->step()) return true;
    exhausted_ = true;
    return false;
  }
  const Statement& row() const { return *statement_; }

 private:
  Database& db_;
  std::optional<Statement> statement_;
  bool exhausted_ = false;
};

void read_value(const Statement& row, int column, CopiedValue& v) {
  v.type = row.type(column);
  switch (v.type) {
    case ValueType::null:
      break;
    case ValueType::integer:
      v.integer = row.int64(column);
      break;
    case ValueType::real:
      v.real = row.real(column);
      break;
    case ValueType::text:
      v.bytes = row.text(column);
      break;
    case ValueType::blob: {
      const auto b = row.blob(column);
      v.bytes.assign(b.begin(), b.end());
      break;
    }
  }
}

void bind_value(Statement& insert, int index, const CopiedValue& v) {
  switch (v.type) {
    case ValueType::null:
      insert.bind_null(index);
      break;
    case ValueType::integer:
      insert.bind(index, v.integer);
      break;
    case ValueType::real:
      insert.bind(index, v.real);
      break;
    case ValueType::text:
      insert.bind(index, std::string_view(v.bytes));
      break;
    case ValueType::blob:
      insert.bind_blob(index, std::span(reinterpret_cast<const std::uint8_t*>(v.bytes.data()), v.bytes.size()));
      break;
  }
}

std::string select_all(const std::string& table, const TableShape& shape) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < shape.columns.size(); ++i) sql += (i ? ", " : "") + quoted(shape.columns[i].name);
  sql += " FROM " + quoted(table);
  // The order only keeps the reads along the primary key's index; the checksum does not need it.
  if (!shape.primary_key.empty()) {
    sql += " ORDER BY ";
    for (std::size_t i = 0; i < shape.primary_key.size(); ++i) sql += (i ? ", " : "") + quoted(shape.primary_key[i]);
  }
  return sql;
}

// "id 42" or "dev_eui 0011223344556677, dev_nonce 7": how a refusal names a row.
std::string row_key(const TableShape& shape, const std::vector<CopiedValue>& row, std::int64_t ordinal) {
  if (shape.primary_key.empty()) return "row " + std::to_string(ordinal);
  std::string key;
  for (const auto& k : shape.primary_key) {
    for (std::size_t i = 0; i < shape.columns.size(); ++i) {
      if (shape.columns[i].name != k) continue;
      const auto& v = row[i];
      std::string text = v.type == ValueType::integer ? std::to_string(v.integer)
                         : v.type == ValueType::text  ? v.bytes
                         : v.type == ValueType::null  ? "NULL"
                                                      : "…";
      key += (key.empty() ? "" : ", ") + k + " " + text;
    }
  }
  return key;
}

std::int64_t count_rows(Database& db, const std::string& table) {
  Statement q(db, "SELECT COUNT(*) FROM " + quoted(table));
  q.step();
  return q.int64(0);
}

// Rows go to the target in multi-row INSERTs of up to kBatchRows rows: one round trip per batch
// instead of per row (PostgreSQL over a socket spends most of a single-row INSERT waiting). Each
// value travels as two parameters, `CASE WHEN ? = 1 THEN NULL ELSE ? END`: a NULL is bound as the
// flag and a placeholder of the column's type, so every batch binds the same parameter types and
// PostgreSQL prepares the statement once per table (a bare NULL parameter has no type, and each
// new pattern of NULLs would be a statement of its own). SQLite allows 32766 parameters.
constexpr std::size_t kBatchRows = 200;
constexpr std::size_t kMaxParameters = 30000;

class BatchInsert {
 public:
  BatchInsert(Database& target, const std::string& table, const TableShape& shape)
      : target_(target), table_(table), shape_(shape) {
    const std::size_t per_row = 2 * shape_.columns.size();
    capacity_ = std::clamp<std::size_t>(kMaxParameters / std::max<std::size_t>(per_row, 1), 1, kBatchRows);
    rows_.resize(capacity_, std::vector<CopiedValue>(shape_.columns.size()));
  }

  // The slot the next row is read into.
  std::vector<CopiedValue>& next_row() { return rows_[size_]; }
  // Keeps the row in next_row(); sends the batch when it is full.
  void add(std::int64_t ordinal) {
    if (size_ == 0) first_ordinal_ = ordinal;
    if (++size_ == capacity_) flush();
  }
  void flush() {
    if (size_ == 0) return;
    Statement insert(target_, sql(size_));
    int index = 1;
    for (std::size_t r = 0; r < size_; ++r) {
      for (std::size_t c = 0; c < shape_.columns.size(); ++c) {
        const auto& v = rows_[r][c];
        insert.bind(index++, std::int64_t{v.type == ValueType::null ? 1 : 0});
        bind_value(insert, index++, v.type == ValueType::null ? placeholder(shape_.columns[c].kind) : v);
      }
    }
    try {
      insert.run();
    } catch (const StorageError& e) {
      throw StorageError("copying table " + table_ + ", rows " + row_key(shape_, rows_[0], first_ordinal_) + " to " +
                         row_key(shape_, rows_[size_ - 1], first_ordinal_ + std::int64_t(size_) - 1) + ": " + e.what());
    }
    size_ = 0;
  }

 private:
  static CopiedValue placeholder(ColumnKind kind) {
    switch (kind) {
      case ColumnKind::real:
        return {ValueType::real, 0, 0.0, {}};
      case ColumnKind::text:
        return {ValueType::text, 0, 0.0, {}};
      case ColumnKind::blob:
        return {ValueType::blob, 0, 0.0, {}};
      default:
        return {ValueType::integer, 0, 0.0, {}};
    }
  }
  const std::string& sql(std::size_t rows) {
    auto& text = rows == capacity_ ? full_sql_ : partial_sql_;
    if (!text.empty() && rows == capacity_) return text;
    text = "INSERT INTO " + quoted(table_) + " (";
    std::string tuple = "(";
    for (std::size_t i = 0; i < shape_.columns.size(); ++i) {
      text += (i ? ", " : "") + quoted(shape_.columns[i].name);
      tuple += i ? ", CASE WHEN ? = 1 THEN NULL ELSE ? END" : "CASE WHEN ? = 1 THEN NULL ELSE ? END";
    }
    text += ") VALUES ";
    for (std::size_t r = 0; r < rows; ++r) text += (r ? ", " : "") + tuple + ")";
    return text;
  }

  Database& target_;
  const std::string& table_;
  const TableShape& shape_;
  std::size_t capacity_ = 1;
  std::vector<std::vector<CopiedValue>> rows_;
  std::size_t size_ = 0;
  std::int64_t first_ordinal_ = 0;
  std::string full_sql_, partial_sql_;
};

// Copies one table's rows, checking each value's type against its column; returns the source
// side's checksum.
TableChecksum copy_table(Database& source, Database& target, const std::string& table, const TableShape& shape,
                         const CopyOptions& options) {
  const std::int64_t total = count_rows(source, table);
  BatchInsert batch(target, table, shape);
  TableChecksum checksum;
  RowReader reader(source, select_all(table, shape));
  std::int64_t copied = 0;
  while (reader.next()) {
    auto& row = batch.next_row();
    for (std::size_t i = 0; i < row.size(); ++i) read_value(reader.row(), static_cast<int>(i), row[i]);
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (fits(shape.columns[i].kind, row[i].type)) continue;
      throw Refusal{"table " + table + ", row " + row_key(shape, row, copied + 1) + ", column " +
                    shape.columns[i].name + " holds " + value_name(row[i].type) + " where its type is " +
                    kind_name(shape.columns[i].kind) + "; correct the row in the source, then migrate again"};
    }
    checksum.add_row(row);
    batch.add(++copied);
    if (options.progress && options.progress_every > 0 && copied % options.progress_every == 0) {
      options.progress(table, copied, total);
    }
  }
  batch.flush();
  if (options.progress) options.progress(table, copied, total);
  return checksum;
}

TableChecksum read_back(Database& db, const std::string& table, const TableShape& shape) {
  TableChecksum checksum;
  std::vector<CopiedValue> row(shape.columns.size());
  RowReader reader(db, select_all(table, shape));
  while (reader.next()) {
    for (std::size_t i = 0; i < row.size(); ++i) read_value(reader.row(), static_cast<int>(i), row[i]);
    checksum.add_row(row);
  }
  return checksum;
}

// The source's one snapshot: every table is read as of the same moment, and nothing is written.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db) {
    db_.exec(db_.dialect() == Dialect::sqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  }
  ~ReadSnapshot() {
    try {
      db_.exec("ROLLBACK");
    } catch (const StorageError&) {
      // Already ended by the engine after an error.
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Database& db_;
};

// Each source table must exist in the target with the same columns of the same kinds (they do
// when both are at the same schema version; anything else is a database uchet did not make).
TableShape matching_shape(const std::string& table, const TableShape& source, const TableShape& target) {
  if (target.columns.empty()) throw Refusal{"the source's table " + table + " is not in uchet's schema"};
  for (const auto& c : source.columns) {
    auto it =
        std::find_if(target.columns.begin(), target.columns.end(), [&](const Column& t) { return t.name == c.name; });
    if (it == target.columns.end()) {
      throw Refusal{"the source's column " + table + "." + c.name + " is not in uchet's schema"};
    }
    if (it->kind != c.kind) {
      throw Refusal{std::string("the column ") + table + "." + c.name + " is " + kind_name(c.kind) +
                    " in the source but " + kind_name(it->kind) + " in uchet's schema"};
    }
  }
  if (target.columns.size() != source.columns.size()) {
    throw Refusal{"the source's table " + table + " lacks columns of uchet's schema"};
  }
  return source;
}

}  // namespace

void TableChecksum::add_row(const std::vector<CopiedValue>& row) {
  encoded_.clear();
  auto put64 = [this](std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) encoded_.push_back(static_cast<char>(v >> shift & 0xFF));
  };
  for (const auto& v : row) {
    switch (v.type) {
      case ValueType::null:
        encoded_.push_back('N');
        break;
      case ValueType::integer:
        encoded_.push_back('I');
        put64(static_cast<std::uint64_t>(v.integer));
        break;
      case ValueType::real:
        encoded_.push_back('R');
        put64(std::bit_cast<std::uint64_t>(v.real));
        break;
      case ValueType::text:
      case ValueType::blob:
        encoded_.push_back(v.type == ValueType::text ? 'T' : 'B');
        put64(v.bytes.size());
        encoded_ += v.bytes;
        break;
    }
  }
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(encoded_.data(), encoded_.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw StorageError("SHA-256 failed (OpenSSL)");
  }
  unsigned carry = 0;
  for (int i = 31; i >= 0; --i) {
    const unsigned s = unsigned{sum_[i]} + digest[i] + carry;
    sum_[i] = static_cast<std::uint8_t>(s);
    carry = s >> 8;
  }
  ++rows_;
}

std::string TableChecksum::hex() const {
  std::array<std::uint8_t, 40> input{};
  for (int i = 0; i < 8; ++i) input[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(rows_) >> (56 - 8 * i));
  std::copy(sum_.begin(), sum_.end(), input.begin() + 8);
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw StorageError("SHA-256 failed (OpenSSL)");
  }
  return lorawan::to_hex(digest);
}

std::expected<CopyReport, std::string> copy_database(Database& source, Database& target, const CopyOptions& options) {
  const int latest = latest_schema_version();
  const auto version = stored_schema_version(source);
  if (!version) return std::unexpected("the source holds no uchet database (it has no schema_version table)");
  if (*version > latest) {
    return std::unexpected("the source's schema version " + std::to_string(*version) + " is newer than this uchet's (" +
                           std::to_string(latest) + "): migrate with the uchet that wrote it");
  }
  if (*version < latest) {
    return std::unexpected("the source is at schema version " + std::to_string(*version) + ", this uchet at " +
                           std::to_string(latest) +
                           ": bring the source up first (start this uchetd on it once, or run any uchetctl command "
                           "on it, e.g. `uchetctl --db SOURCE application list`), then migrate");
  }
  if (const auto occupied = table_names(target); !occupied.empty()) {
    std::string names;
    for (std::size_t i = 0; i < occupied.size() && i < 3; ++i) names += (i ? ", " : "") + occupied[i];
    if (occupied.size() > 3) names += ", …";
    return std::unexpected("the target is not empty (it has tables: " + names +
                           "); uchetctl migrate only fills an empty database and never overwrites one");
  }

  CopyReport report;
  report.schema_version = *version;
  try {
    ReadSnapshot snapshot(source);
    std::vector<std::string> tables;
    for (auto& t : table_names(source)) {
      if (t != "schema_version") tables.push_back(std::move(t));
    }
    Transaction tx(target);
    migrate_empty_database(tx.work());
    for (const auto& t : table_names(target)) {
      if (t != "schema_version" && std::find(tables.begin(), tables.end(), t) == tables.end()) {
        throw Refusal{"the source lacks uchet's table " + t};
      }
    }
    std::map<std::string, TableShape> shapes;
    for (const auto& t : tables) shapes[t] = matching_shape(t, table_shape(source, t), table_shape(target, t));
    const auto order = parents_first(target, tables);

    TriggersOff triggers(target, order);
    // The migrations seed a few rows (registry_version, the default billing rule): the source's
    // own rows replace them. Children first, for the foreign keys.
    for (auto t = order.rbegin(); t != order.rend(); ++t) target.exec("DELETE FROM " + quoted(*t));
    std::map<std::string, TableChecksum> source_sums;
    for (const auto& t : order) source_sums[t] = copy_table(source, target, t, shapes[t], options);
    triggers.restore();
    advance_identity_sequences(target);
    raise_high_water_marks(target, high_water_marks(source));

    if (options.before_verify) options.before_verify(target);
    bool all_match = true;
    for (const auto& t : order) {
      const auto back = read_back(target, t, shapes[t]);
      TableCopy c{t, source_sums[t].rows(), back.rows(), source_sums[t].hex(), back.hex()};
      all_match = all_match && c.matches();
      report.tables.push_back(std::move(c));
    }
    if (all_match) {
      tx.commit();
      report.verified = true;
    }
  } catch (const Refusal& r) {
    return std::unexpected(r.why);
  }
  return report;
}

}  // namespace uchet::schema
