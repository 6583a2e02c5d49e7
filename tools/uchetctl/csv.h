#pragma once
// RFC 4180 CSV reading for the bulk-import commands: quoted fields, doubled quotes, CRLF or LF,
// a UTF-8 BOM at the start. Each record keeps the line it started on for error messages.
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::cli {

struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// Fails only on text that is not CSV (an unterminated quote, text after a closing quote).
lorawan::Result<std::vector<CsvRecord>> parse_csv(std::string_view text);

}  // namespace uchet::cli
