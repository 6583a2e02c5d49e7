#include "schema/key_wrap.h"

#include <openssl/evp.h>

#include <memory>
#include <string>

namespace uchet::schema {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// One RFC 3394 operation; `encrypt` wraps, otherwise unwraps. The output is 8 bytes longer
// (wrap) or shorter (unwrap) than the input.
lorawan::Result<lorawan::Bytes> run(const KeyEncryptionKey& kek, lorawan::ByteView in, bool encrypt) {
  const EVP_CIPHER* cipher = nullptr;
  if (kek.bytes.size() == 16) cipher = EVP_aes_128_wrap();
  if (kek.bytes.size() == 32) cipher = EVP_aes_256_wrap();
  if (!cipher) return std::unexpected("the key-encryption key must be 16 or 32 bytes");
  const std::size_t min_in = encrypt ? 16 : 24;
  if (in.size() < min_in || in.size() % 8 != 0) {
    return std::unexpected(std::string(encrypt ? "a key to wrap" : "a wrapped key") +
                           " must be a multiple of 8 bytes, at least " + std::to_string(min_in));
  }
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) return std::unexpected("OpenSSL: out of memory");
  // RFC 3394's default IV (A6A6A6A6A6A6A6A6) is what EVP uses when none is given.
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, kek.bytes.data(), nullptr, encrypt ? 1 : 0) != 1) {
    return std::unexpected("OpenSSL: cannot initialise AES key wrap");
  }
  lorawan::Bytes out(in.size() + 8);
  int written = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &written, in.data(), static_cast<int>(in.size())) != 1 || written <= 0) {
    return std::unexpected(
        encrypt ? "OpenSSL: AES key wrap failed"
                : "the wrapped key does not unwrap with this key-encryption key (wrong KEK or altered data)");
  }
  int final_written = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + written, &final_written) != 1) {
    return std::unexpected("OpenSSL: AES key wrap did not finish");
  }
  out.resize(static_cast<std::size_t>(written + final_written));
  return out;
}

}  // namespace

lorawan::Result<lorawan::Bytes> wrap_key(const KeyEncryptionKey& kek, lorawan::ByteView plain) {
  return run(kek, plain, true);
}

lorawan::Result<lorawan::Bytes> unwrap_key(const KeyEncryptionKey& kek, lorawan::ByteView wrapped) {
  return run(kek, wrapped, false);
}

}  // namespace uchet::schema
