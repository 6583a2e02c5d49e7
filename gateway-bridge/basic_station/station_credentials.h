#pragma once
// How a Basics Station gateway proves who it is: a bearer token (its tc.key holds the line
// "Authorization: Bearer <token>", sent with every WebSocket upgrade over TLS) or a TLS client
// certificate. uchet stores only SHA-256 digests: of the token, and of the certificate's DER
// encoding (its fingerprint). Comparisons run in constant time. Tokens are never logged.
//
// Pure functions over OpenSSL; any thread. uchetctl computes the digests it registers with the
// same functions the backend checks them with.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"

struct x509_st;  // OpenSSL's X509, without its headers

namespace uchet::gateway_bridge::basic_station {

using Sha256 = std::array<std::uint8_t, 32>;

enum class CredentialKind : std::uint8_t {
  None,               // only the EUI is checked: accepted on a plain ws:// server alone
  Token,              // sha256 = SHA-256 of the token
  ClientCertificate,  // sha256 = SHA-256 of the certificate's DER encoding
};

struct StationCredential {
  CredentialKind kind = CredentialKind::None;
  Sha256 sha256{};
};

// A gateway's registered credential, or nothing for a gateway not registered for Basics
// Station. Called on the backend's thread: thread-safe and quick (no database access).
using CredentialLookup = std::function<std::optional<StationCredential>(lorawan::Eui64)>;

Sha256 sha256_of(std::string_view bytes);

// The token in an Authorization header's value: "Bearer <token>" (the scheme in any case) gives
// <token>; a value without a scheme is taken whole.
std::string_view bearer_token(std::string_view authorization);

// Whether `token` hashes to the credential's digest (constant time); false for other kinds.
bool token_matches(const StationCredential& credential, std::string_view token);
// Whether `certificate` (the peer's leaf) has the credential's fingerprint; false for other kinds.
bool certificate_matches(const StationCredential& credential, x509_st* certificate);

// The fingerprint of the first certificate in a PEM file; an error names the file.
lorawan::Result<Sha256> certificate_file_fingerprint(const std::string& path);

}  // namespace uchet::gateway_bridge::basic_station
