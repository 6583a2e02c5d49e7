// `uchetctl gateway add --basic-station`: the credential is stored as a digest, shown by kind
// only, and the connection state uchetd saves is shown.
#include <catch2/catch.hpp>

#include <fstream>

#include "schema/basic_station_gateways.h"
#include "tests/support/test_pki.h"
#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

TEST_CASE("a Basics Station gateway is registered with a token, a client certificate or neither") {
  Uchetctl ctl;
  const std::string token = "token-of-the-roof-station-0042";
  std::ofstream(ctl.file("token")) << token << "\n";
  uchet::test::TempDir dir;
  uchet::test::TestPki pki(dir);
  const auto cert = pki.client("cellar");

  auto added = ctl.json(
      {"gateway", "add", "b827ebfffee1e39a", "--name", "roof", "--basic-station", "--token-file", ctl.file("token")});
  CHECK(added["basicStation"]["credential"] == "token");
  CHECK(ctl.json({"gateway", "add", "aa555a0000000002", "--name", "cellar", "--basic-station", "--client-cert",
                  cert.certificate})["basicStation"]["credential"] == "client_certificate");
  CHECK(ctl.json({"gateway", "add", "aa555a0000000003", "--name", "lab",
                  "--basic-station"})["basicStation"]["credential"] == "none");
  CHECK(ctl.json({"gateway", "add", "aa555a0000000004", "--name", "udp"})["basicStation"].is_null());

  auto list = ctl({"gateway", "list"});
  CHECK_THAT(list.out,
             Catch::Contains("basic-station (token)") && Catch::Contains("basic-station (client_certificate)"));
  // The secret is nowhere: not in any output, not in the database.
  CHECK(list.out.find(token) == std::string::npos);
  CHECK(ctl.dump().find(token) == std::string::npos);
  auto shown = ctl({"gateway", "show", "b827ebfffee1e39a"});
  CHECK(shown.out.find(token) == std::string::npos);
  CHECK_THAT(shown.out, Catch::Contains("never connected"));

  {
    auto db = uchet::schema::Database::open(ctl.database());
    uchet::schema::save_station_connections(db, 1'796'000'100,
                                            {{0xB827EBFFFEE1E39A, true, 1'796'000'000, 1'796'000'090}});
  }
  CHECK_THAT(ctl({"gateway", "show", "b827ebfffee1e39a"}).out, Catch::Contains("connected (as of"));
  auto json = ctl.json({"gateway", "show", "b827ebfffee1e39a"});
  CHECK(json["basicStation"]["connected"] == true);
  CHECK_FALSE(json["basicStation"]["lastSeenAt"].is_null());
  CHECK(ctl.json({"gateway", "show", "aa555a0000000002"})["basicStation"]["connected"] == false);
}

TEST_CASE("bad Basics Station registrations exit 2 and change nothing") {
  Uchetctl ctl;
  REQUIRE(ctl({"gateway", "add", "aa555a0000000001", "--name", "roof"}).exit_code == 0);
  std::ofstream(ctl.file("short")) << "short\n";
  std::ofstream(ctl.file("token")) << "a-token-long-enough-0001\n";
  std::ofstream(ctl.file("not-a-cert")) << "hello\n";
  const auto before = ctl.dump();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"--token-file", ctl.file("token")}, "--basic-station"},
      {{"--basic-station", "--token-file", ctl.file("token"), "--client-cert", ctl.file("not-a-cert")}, "excludes"},
      {{"--basic-station", "--token-file", ctl.file("short")}, "at least 16 characters"},
      {{"--basic-station", "--token-file", ctl.file("missing")}, "cannot read"},
      {{"--basic-station", "--client-cert", ctl.file("not-a-cert")}, "no PEM certificate"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"gateway", "add", "aa555a0000000002", "--name", "x"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = ctl(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == before);
}
