// Station credentials: the digests uchetctl stores and the backend compares, against known
// answers (FIPS 180-2's "abc", and the fingerprint the openssl command line prints).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "gateway-bridge/basic_station/station_credentials.h"
#include "tests/support/process.h"
#include "tests/support/test_pki.h"

using namespace uchet::gateway_bridge::basic_station;

namespace {

std::string hex(const Sha256& digest) {
  std::string out;
  for (auto byte : digest) out += fmt::format("{:02X}", byte);
  return out;
}

}  // namespace

TEST_CASE("tokens are compared by their SHA-256, whatever the case of the Bearer scheme") {
  CHECK(hex(sha256_of("abc")) == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  CHECK(bearer_token("Bearer abc") == "abc");
  CHECK(bearer_token("bearer  abc\r") == "abc");
  CHECK(bearer_token("abc") == "abc");  // a tc.key holding the bare token
  CHECK(bearer_token("") == "");
  const StationCredential token{CredentialKind::Token, sha256_of("the-token-of-gw-1")};
  CHECK(token_matches(token, "the-token-of-gw-1"));
  CHECK_FALSE(token_matches(token, "the-token-of-gw-2"));
  CHECK_FALSE(token_matches(token, ""));
  const StationCredential certificate{CredentialKind::ClientCertificate, sha256_of("the-token-of-gw-1")};
  CHECK_FALSE(token_matches(certificate, "the-token-of-gw-1"));  // a certificate gateway's digest is no token
  CHECK_FALSE(certificate_matches(token, nullptr));
}

TEST_CASE("a certificate's fingerprint is the SHA-256 of its DER encoding, as openssl prints it") {
  uchet::test::TempDir dir;
  uchet::test::TestPki pki(dir);
  auto station = pki.client("station");
  auto printed = uchet::test::run({"/usr/bin/openssl", "x509", "-in", station.certificate, "-noout", "-fingerprint",
                                   "-sha256"});
  REQUIRE(printed.exit_code == 0);
  std::string expected = printed.out.substr(printed.out.find('=') + 1);
  std::erase(expected, ':');
  std::erase(expected, '\n');
  auto fingerprint = certificate_file_fingerprint(station.certificate);
  REQUIRE(fingerprint);
  CHECK(hex(*fingerprint) == expected);
  CHECK_FALSE(certificate_file_fingerprint(dir.file("missing.pem")));
  CHECK_FALSE(certificate_file_fingerprint(station.key));  // a key is no certificate
}
