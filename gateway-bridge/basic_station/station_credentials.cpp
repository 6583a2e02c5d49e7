#include "gateway-bridge/basic_station/station_credentials.h"

#include <cctype>
#include <cstdio>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace uchet::gateway_bridge::basic_station {
namespace {

bool same_digest(const Sha256& a, const Sha256& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

std::optional<Sha256> fingerprint(X509* certificate) {
  Sha256 digest{};
  unsigned int length = 0;
  if (certificate == nullptr || X509_digest(certificate, EVP_sha256(), digest.data(), &length) != 1 ||
      length != digest.size())
    return std::nullopt;
  return digest;
}

}  // namespace

Sha256 sha256_of(std::string_view bytes) {
  Sha256 digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() >= scheme.size()) {
    bool is_bearer = true;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) is_bearer = false;
    }
    if (is_bearer) authorization.remove_prefix(scheme.size());
  }
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  while (!authorization.empty() && (authorization.back() == ' ' || authorization.back() == '\r'))
    authorization.remove_suffix(1);
  return authorization;
}

bool token_matches(const StationCredential& credential, std::string_view token) {
  return credential.kind == CredentialKind::Token && !token.empty() && same_digest(sha256_of(token), credential.sha256);
}

bool certificate_matches(const StationCredential& credential, X509* certificate) {
  if (credential.kind != CredentialKind::ClientCertificate) return false;
  auto digest = fingerprint(certificate);
  return digest && same_digest(*digest, credential.sha256);
}

lorawan::Result<Sha256> certificate_file_fingerprint(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return std::unexpected("cannot read the file '" + path + "'");
  std::unique_ptr<X509, void (*)(X509*)> certificate(PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate) return std::unexpected("'" + path + "' holds no PEM certificate");
  auto digest = fingerprint(certificate.get());
  if (!digest) return std::unexpected("cannot compute the fingerprint of the certificate in '" + path + "'");
  return *digest;
}

}  // namespace uchet::gateway_bridge::basic_station
