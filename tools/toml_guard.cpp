#include "tools/toml_guard.h"

namespace uchet {

std::optional<std::string> toml_text_refusal(std::string_view text) {
  // Where the scanner is: outside (keys, values, punctuation), in a comment (to the end of the
  // line), or in one of TOML's four string forms. Escapes matter only in basic strings.
  enum class In { outside, comment, basic, literal, multi_basic, multi_literal };
  In in = In::outside;
  int line = 1;
  auto at = [&](const char* what) { return "line " + std::to_string(line) + ": " + what; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\0') return at("a NUL byte");
    const bool newline = c == '\n';
    switch (in) {
      case In::outside:
        if (byte >= 0x80) {
          return at(
              "a non-ASCII character outside a quoted string or comment (keys and bare values are ASCII; "
              "put text in quotes)");
        }
        if (c == '#') in = In::comment;
        if (c == '"') {
          if (text.substr(i, 3) == "\"\"\"") {
            in = In::multi_basic;
            i += 2;
          } else {
            in = In::basic;
          }
        }
        if (c == '\'') {
          if (text.substr(i, 3) == "'''") {
            in = In::multi_literal;
            i += 2;
          } else {
            in = In::literal;
          }
        }
        break;
      case In::comment:
        if (newline) in = In::outside;
        break;
      case In::basic:
        if (c == '\\') {
          ++i;  // the escaped character (a newline here is an error toml++ reports itself)
          if (i < text.size() && text[i] == '\n') ++line;
        } else if (c == '"' || newline) {
          in = In::outside;  // an unterminated string ends at the line's end for TOML too
        }
        break;
      case In::literal:
        if (c == '\'' || newline) in = In::outside;
        break;
      case In::multi_basic:
        if (c == '\\') {
          ++i;
          if (i < text.size() && text[i] == '\n') ++line;
        } else if (text.substr(i, 3) == "\"\"\"") {
          // Up to two more quotes may belong to the string (""""" ends a string ending in "").
          i += 2;
          while (i + 1 < text.size() && text[i + 1] == '"') ++i;
          in = In::outside;
        }
        break;
      case In::multi_literal:
        if (text.substr(i, 3) == "'''") {
          i += 2;
          while (i + 1 < text.size() && text[i + 1] == '\'') ++i;
          in = In::outside;
        }
        break;
    }
    if (newline) ++line;
  }
  return std::nullopt;
}

}  // namespace uchet
