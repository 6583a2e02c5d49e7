#pragma once
// Throwaway TLS material for tests, made with the `openssl` command line in a temporary
// directory: a CA, a server certificate for "localhost" signed by it, and client certificates
// on demand (P-256 keys, valid two days). For the Basics Station tests (backend and end to end).
#include <string>

#include "tests/support/process.h"

namespace uchet::test {

struct CertificateFiles {
  std::string certificate;  // PEM
  std::string key;          // PEM
};

class TestPki {
 public:
  explicit TestPki(const TempDir& dir);  // throws std::runtime_error when openssl fails
  const std::string& ca_certificate() const { return ca_.certificate; }
  const CertificateFiles& server() const { return server_; }
  // A new key and certificate with common name `name`, signed by the CA.
  CertificateFiles client(const std::string& name) const;

 private:
  CertificateFiles issue(const std::string& name, const std::string& extension) const;
  const TempDir& dir_;
  CertificateFiles ca_;
  CertificateFiles server_;
};

}  // namespace uchet::test
