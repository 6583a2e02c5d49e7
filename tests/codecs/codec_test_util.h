// Shared helpers for the codec tests: test-data paths and hex parsing.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace uchet::codecs::test {

inline std::string data_path(const std::string& relative) { return std::string(UCHET_TEST_DATA) + "/" + relative; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "68 1F 1F ..." (any whitespace) -> bytes.
inline std::vector<std::uint8_t> parse_hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    if (token.size() % 2 != 0) throw std::runtime_error("odd hex token: " + token);
    for (std::size_t i = 0; i < token.size(); i += 2) {
      out.push_back(static_cast<std::uint8_t>(std::stoul(token.substr(i, 2), nullptr, 16)));
    }
  }
  return out;
}

inline std::vector<std::uint8_t> hex_file(const std::string& relative) {
  return parse_hex(read_file(data_path(relative)));
}

}  // namespace uchet::codecs::test
