// Fuzz target: uchetd's configuration file (uchetd --config, uchetctl --config), text to Config.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)uchet::parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  return 0;
}
