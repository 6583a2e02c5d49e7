// Fuzz target, built once per registered codec (UCHET_FUZZ_CODEC names it): a payload as a
// device sends it, FPort from the first byte, through the codec and the JSON the event carries.
#include <cstddef>
#include <cstdint>

#include "codecs/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  uchet::codecs::Bytes payload(data + 1, data + size);
  auto decoded = uchet::codecs::decode(UCHET_FUZZ_CODEC, data[0], std::move(payload));
  if (decoded) (void)uchet::codecs::to_json(*decoded).dump();
  return 0;
}
