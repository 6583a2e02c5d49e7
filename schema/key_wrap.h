#pragma once
// AES key wrap (RFC 3394) with a key-encryption key (KEK), through OpenSSL's EVP
// (EVP_aes_128_wrap / EVP_aes_256_wrap): how root and session keys are stored at rest when
// `storage.kek_file` is set (schema/key_encryption.h decides when). Pure: no I/O, no state;
// callable from any thread.
#include <cstdint>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::schema {

// A KEK of 16 bytes (AES-128 wrap) or 32 bytes (AES-256 wrap, what kek_file holds).
struct KeyEncryptionKey {
  std::vector<std::uint8_t> bytes;
};

// Wraps `plain` (a multiple of 8 bytes, at least 16): the result is 8 bytes longer. Errors name
// the reason (a KEK of the wrong size, a plaintext of the wrong size, OpenSSL failing).
lorawan::Result<lorawan::Bytes> wrap_key(const KeyEncryptionKey& kek, lorawan::ByteView plain);
// Unwraps what wrap_key made with the same KEK. A different KEK or altered bytes fail RFC 3394's
// integrity check: an error, never wrong key material.
lorawan::Result<lorawan::Bytes> unwrap_key(const KeyEncryptionKey& kek, lorawan::ByteView wrapped);

}  // namespace uchet::schema
