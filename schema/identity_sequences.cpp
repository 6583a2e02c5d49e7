#include "schema/identity_sequences.h"

#include <cstdint>
#include <utility>

#include "schema/statement.h"

namespace uchet::schema {

std::vector<AdvancedSequence> advance_identity_sequences(Database& db) {
  std::vector<AdvancedSequence> advanced;
  if (db.dialect() != Dialect::postgresql) return advanced;
  std::vector<std::pair<std::string, std::string>> columns;
  {
    Statement q(db,
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND is_identity = 'YES' "
                "ORDER BY table_name, column_name");
    while (q.step()) columns.emplace_back(q.text(0), q.text(1));
  }
  for (const auto& [table, column] : columns) {
    // Names come from the catalogue, not from a user: quoting them is enough.
    Statement largest(db, "SELECT max(\"" + column + "\") FROM \"" + table + "\"");
    largest.step();
    const auto max_id = largest.optional_int64(0);
    if (!max_id) continue;
    // pg_get_serial_sequence returns the name already quoted (and schema-qualified) as needed.
    // A sequence that has not handed out a value yet has is_called false: its next value is
    // last_value itself.
    Statement name(db, "SELECT pg_get_serial_sequence(?, ?)");
    name.bind(1, "\"" + table + "\"").bind(2, column);
    name.step();
    const std::string sequence = name.text(0);
    Statement state(db, "SELECT last_value, is_called FROM " + sequence);
    state.step();
    const std::int64_t next = state.int64(0) + (state.int64(1) != 0 ? 1 : 0);
    if (next > *max_id) continue;
    Statement set(db, "SELECT setval(CAST(? AS regclass), ?)");
    set.bind(1, sequence).bind(2, *max_id);
    set.step();
    advanced.push_back({table, column, *max_id});
  }
  return advanced;
}

}  // namespace uchet::schema
