#pragma once
// A guard in front of toml++ (Debian 12's 3.3.0) for the configuration loader (tools/config.cpp):
// that version reaches `unreachable` — undefined behaviour — on some non-ASCII bytes outside
// strings (a Cyrillic letter typed in a key is enough; fixed upstream in marzer/tomlplusplus
// PR #305), and asserts on a NUL after `[` in debug builds. Keys, table names and bare values
// are ASCII in every valid uchet configuration, so the guard refuses any byte >= 0x80 outside
// strings and comments, and a NUL byte anywhere, naming the line, before toml++ sees the text.
// Pure; callable from any thread. docs/fuzzing.md tells the story.
#include <optional>
#include <string>
#include <string_view>

namespace uchet {

// nullopt when the text may be handed to toml++; otherwise why not, as "line N: ...".
std::optional<std::string> toml_text_refusal(std::string_view text);

}  // namespace uchet
