#include "tests/support/test_pki.h"

#include <fstream>
#include <stdexcept>

namespace uchet::test {
namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";

void openssl(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{kOpenssl};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  auto result = run(argv);
  if (result.exit_code != 0) throw std::runtime_error("openssl " + arguments.front() + " failed: " + result.err);
}

}  // namespace

TestPki::TestPki(const TempDir& dir) : dir_(dir) {
  ca_ = {dir.file("ca.pem"), dir.file("ca.key")};
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_.key,
           "-out", ca_.certificate, "-days", "2", "-subj", "/CN=uchet test CA"});
  server_ = issue("localhost", "subjectAltName=DNS:localhost");
}

CertificateFiles TestPki::client(const std::string& name) const { return issue(name, "extendedKeyUsage=clientAuth"); }

CertificateFiles TestPki::issue(const std::string& name, const std::string& extension) const {
  CertificateFiles files{dir_.file(name + ".pem"), dir_.file(name + ".key")};
  const auto request = dir_.file(name + ".csr");
  const auto extensions = dir_.file(name + ".ext");
  std::ofstream(extensions) << extension << "\n";
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", files.key, "-out",
           request, "-subj", "/CN=" + name});
  openssl({"x509", "-req", "-in", request, "-CA", ca_.certificate, "-CAkey", ca_.key, "-CAcreateserial", "-out",
           files.certificate, "-days", "2", "-extfile", extensions});
  return files;
}

}  // namespace uchet::test
