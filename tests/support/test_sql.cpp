#include "tests/support/test_sql.h"

#include <functional>

#include "schema/database.h"
#include "schema/identity_sequences.h"
#include "schema/statement.h"
#include "schema/storage_stats.h"

namespace uchet::test {
namespace {

// Calls `read` with the statement positioned on each row of `query`.
void for_each_row(const std::string& location, const std::string& query,
                  const std::function<void(schema::Statement&)>& read) {
  auto db = schema::Database::open_raw(location);
  schema::Statement q(db, query);
  while (q.step()) read(q);
}

template <class T, class Read>
std::vector<T> first_column(const std::string& location, const std::string& query, Read read) {
  std::vector<T> out;
  for_each_row(location, query, [&](schema::Statement& q) { out.push_back(read(q)); });
  return out;
}

// The table's column names in their declared order, from the engine's catalogue.
std::vector<std::string> columns_of(schema::Database& db, const std::string& table) {
  schema::Statement q(db, db.dialect() == schema::Dialect::postgresql
                              ? "SELECT column_name FROM information_schema.columns "
                                "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
                              : "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  q.bind(1, table);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  return out;
}

}  // namespace

void sql_exec(const std::string& location, const std::string& statements) {
  auto db = schema::Database::open_raw(location);
  schema::Transaction tx(db);
  db.exec(statements);
  tx.commit();
  schema::advance_identity_sequences(db);
}

std::vector<std::int64_t> sql_int64s(const std::string& location, const std::string& query) {
  return first_column<std::int64_t>(location, query, [](schema::Statement& q) { return q.int64(0); });
}

std::vector<double> sql_reals(const std::string& location, const std::string& query) {
  return first_column<double>(location, query, [](schema::Statement& q) { return q.real(0); });
}

std::vector<std::optional<std::string>> sql_texts(const std::string& location, const std::string& query) {
  return first_column<std::optional<std::string>>(location, query,
                                                  [](schema::Statement& q) { return q.optional_text(0); });
}

std::vector<std::vector<std::uint8_t>> sql_blobs(const std::string& location, const std::string& query) {
  return first_column<std::vector<std::uint8_t>>(location, query, [](schema::Statement& q) { return q.blob(0); });
}

std::string database_rows(const std::string& location) {
  auto db = schema::Database::open_raw(location);
  std::string out;
  // table_stats lists the schema's tables (but schema_version) by name on either engine.
  for (const auto& table : schema::table_stats(db, 0)) {
    const auto columns = columns_of(db, table.table);
    std::string select, order;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      select += (i ? ", \"" : "\"") + columns[i] + "\"";
      order += (i ? ", " : "") + std::to_string(i + 1);
    }
    out += "table " + table.table + "\n";
    schema::Statement q(db, "SELECT " + select + " FROM \"" + table.table + "\" ORDER BY " + order);
    while (q.step()) {
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto value = q.optional_text(static_cast<int>(i));
        out += (i ? "|" : "") + (value ? "'" + *value + "'" : std::string("NULL"));
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace uchet::test
