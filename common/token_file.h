#pragma once
// Reads a bearer token from a file, as every token uchet is given is read (the operator
// endpoint's `http.token_file`, a Basics Station gateway's `uchetctl gateway add --token-file`):
// the first line, trailing spaces and CR removed, at least 16 printable ASCII characters without
// spaces. The error names the file but never quotes its content. Pure apart from the read; any
// thread.
#include <expected>
#include <string>

namespace uchet::common {

std::expected<std::string, std::string> read_token_file(const std::string& path);

}  // namespace uchet::common
