#include "tools/uchetctl/text_encoding.h"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "tools/uchetctl/output.h"

namespace uchet::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte, so scanning moves on).
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// "U+00A9 '©'" for the sequence at `p` (at most `left` bytes).
std::string describe(const char* p, std::size_t left) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  const std::size_t n = std::min(sequence_length(u[0]), left);
  if (n == 1 && u[0] >= 0x80) return fmt::format("byte 0x{:02X} (not UTF-8)", u[0]);
  std::uint32_t cp = n == 1 ? u[0] : u[0] & (0xFF >> (n + 1));
  for (std::size_t i = 1; i < n; ++i) cp = (cp << 6) | (u[i] & 0x3F);
  return fmt::format("U+{:04X} '{}'", cp, std::string(p, n));
}

// RAII for the iconv descriptor.
struct Converter {
  iconv_t cd;
  Converter(const char* to, const char* from) : cd(iconv_open(to, from)) {
    if (cd == reinterpret_cast<iconv_t>(-1))
      throw std::runtime_error(std::string("iconv_open: ") + std::strerror(errno));
  }
  ~Converter() { iconv_close(cd); }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
};

}  // namespace

std::string encoding_arg(const std::string& name) {
  const auto n = lower(name);
  if (n == "utf-8" || n == "utf8") return "utf-8";
  if (n == "cp1251" || n == "windows-1251") return "cp1251";
  throw UsageError("--encoding must be utf-8 or cp1251 (got '" + name + "')");
}

std::string encode_text(const std::string& utf8, const std::string& encoding) {
  if (encoding == "utf-8") return utf8;
  Converter conv("CP1251", "UTF-8");
  std::string out;
  std::vector<std::string> refused;
  std::vector<char> in(utf8.begin(), utf8.end());
  char* src = in.data();
  std::size_t src_left = in.size();
  char buffer[4096];
  while (src_left > 0) {
    char* dst = buffer;
    std::size_t dst_left = sizeof buffer;
    const std::size_t rc = iconv(conv.cd, &src, &src_left, &dst, &dst_left);
    out.append(buffer, static_cast<std::size_t>(dst - buffer));
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) continue;
    // EILSEQ (not representable, or not UTF-8) and EINVAL (cut sequence at the end): note the
    // character and go on, so that the message lists all of them at once.
    auto what = describe(src, src_left);
    if (std::find(refused.begin(), refused.end(), what) == refused.end()) refused.push_back(what);
    const std::size_t skip = std::min(sequence_length(static_cast<unsigned char>(*src)), src_left);
    src += skip;
    src_left -= skip;
  }
  if (!refused.empty()) {
    std::string list;
    for (const auto& r : refused) list += (list.empty() ? "" : ", ") + r;
    throw UsageError("cannot write in cp1251: " + list);
  }
  return out;
}

}  // namespace uchet::cli
