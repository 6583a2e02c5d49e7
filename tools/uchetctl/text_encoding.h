#pragma once
// Re-encoding of uchetctl's UTF-8 output for billing systems that import Windows-1251 files
// (metering-domain.md §7). The conversion is glibc's iconv, not a hand-made table.
#include <string>

namespace uchet::cli {

// "utf-8" or "cp1251" (case-insensitive; "utf8" and "windows-1251" too), as the canonical name;
// UsageError otherwise.
std::string encoding_arg(const std::string& name);

// `utf8` in the canonical `encoding`. A character the encoding cannot represent is an error, not a
// silent '?': a wrong account or premise number in a billing file costs more than a refused export.
// UsageError names every such character (U+XXXX and the character itself).
std::string encode_text(const std::string& utf8, const std::string& encoding);

}  // namespace uchet::cli
