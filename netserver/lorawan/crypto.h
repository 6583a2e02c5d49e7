#pragma once
// AES-128 block primitives and AES-CMAC (RFC 4493), the only ciphers LoRaWAN uses. Thin wrappers
// over OpenSSL 3 EVP. They cannot fail on valid input (keys and blocks are fixed-size); an OpenSSL
// failure means a broken library or memory exhaustion and is reported by throwing
// std::runtime_error, like std::bad_alloc would be.
#include <array>
#include <cstdint>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

using Block = std::array<std::uint8_t, 16>;

Block aes128_encrypt(const Key& key, const Block& block);  // ECB, one block
Block aes128_decrypt(const Key& key, const Block& block);  // ECB, one block
Block aes_cmac(const Key& key, ByteView message);          // full 16-byte tag

}  // namespace uchet::lorawan
