#pragma once
// The rows of a CSV export as maps header -> cell, for tests reading what uchetctl wrote (CRLF
// or LF lines, a header row, no quoted cells: the exports these tests read quote nothing).
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace uchet::test {

inline std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::istringstream cs(line);
    for (std::string cell; std::getline(cs, cell, ',');) cells.push_back(cell);
    if (line.back() == ',') cells.emplace_back();  // getline drops a trailing empty cell
    lines.push_back(cells);
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < lines[0].size() && c < lines[i].size(); ++c) row[lines[0][c]] = lines[i][c];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace uchet::test
