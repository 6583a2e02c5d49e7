#include "common/token_file.h"

#include <fstream>

namespace uchet::common {

std::expected<std::string, std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) return std::unexpected("cannot read the file '" + path + "'");
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 16) return std::unexpected("the token in '" + path + "' must be at least 16 characters");
  for (unsigned char ch : token) {
    if (ch < 0x21 || ch > 0x7E)
      return std::unexpected("the token in '" + path + "' must be printable ASCII without spaces");
  }
  return token;
}

}  // namespace uchet::common
