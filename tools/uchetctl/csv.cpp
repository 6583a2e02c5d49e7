#include "tools/uchetctl/csv.h"

namespace uchet::cli {

lorawan::Result<std::vector<CsvRecord>> parse_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord record{1, {}};
  std::string field;
  int line = 1;
  bool in_quotes = false, after_quote = false, record_has_content = false;

  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_record = [&] {
    end_field();
    // Blank lines carry no data; skipping them forgives a trailing newline or two.
    if (record_has_content) records.push_back(std::move(record));
    record = CsvRecord{line, {}};
    record_has_content = false;
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == ',') {
      record_has_content = true;
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else if (after_quote) {
      return std::unexpected("line " + std::to_string(line) + ": text after a closing quote");
    } else if (c == '"' && field.empty()) {
      in_quotes = true;
      record_has_content = true;
    } else {
      field.push_back(c);
      record_has_content = true;
    }
  }
  if (in_quotes) return std::unexpected("line " + std::to_string(record.line) + ": quoted field is never closed");
  end_record();
  return records;
}

}  // namespace uchet::cli
