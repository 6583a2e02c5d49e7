// Every place a time-zone name enters uchet refuses a name that is not a zone with exit code 2
// (uchetctl) or a configuration error naming the key (uchetd), never with an abort: a zone
// directory ("Europe"), a name a NUL cuts short, a path out of the zoneinfo tree, 10 kB of name.
#include <catch2/catch.hpp>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

namespace {

const std::string kNulName("Europe/Moscow\0zz", 16);
const std::string kLongName(10'000, 'A');

// Names that can be passed as a command-line argument (argv cannot hold a NUL).
const std::vector<std::string> kArgvNames = {"Europe", "../../etc/passwd", kLongName};

void check_refused(const uchet::test::RunResult& r, const std::string& what) {
  INFO(what << "\nstdout: " << r.out << "\nstderr: " << r.err.substr(0, 400));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("time zone") != std::string::npos);
  CHECK(r.err.size() < 1000);  // one line naming the problem, not the 10 kB name echoed
}

}  // namespace

TEST_CASE("uchetctl refuses zone names that are no zone in every command that takes one") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  REQUIRE(ctl({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               "000102030405060708090A0B0C0D0E0F"})
              .exit_code == 0);
  REQUIRE(ctl({"object", "add", "mira-10"}).exit_code == 0);
  const auto before = ctl.dump();
  for (const auto& name : kArgvNames) {
    check_refused(ctl({"application", "add", "heat", "--time-zone", name}), "application add " + name.substr(0, 20));
    check_refused(ctl({"object", "add", "lenina-5", "--time-zone", name}), "object add " + name.substr(0, 20));
    check_refused(ctl({"readings", "0011223344556677", "--tz", name}), "readings --tz " + name.substr(0, 20));
    check_refused(
        ctl({"fleet", "report", "--object", "mira-10", "--from", "2026-11-01", "--to", "2026-12-01", "--tz", name}),
        "fleet --tz " + name.substr(0, 20));
  }
  CHECK(ctl.dump() == before);
}

TEST_CASE("object import refuses a time_zone column that is no zone, NUL included, and imports nothing") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "list"}).exit_code == 0);  // creates the database
  const auto before = ctl.dump();
  std::vector<std::string> names = kArgvNames;
  names.push_back(kNulName);
  for (const auto& name : names) {
    uchet::test::write_file(ctl.file("building.csv"), "object,time_zone\nmira-10," + name + "\n");
    auto r = ctl({"object", "import", ctl.file("building.csv")});
    INFO(name.substr(0, 20) << ": " << r.err.substr(0, 400));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("line 2") != std::string::npos);
    CHECK(r.err.size() < 1000);
    CHECK(ctl.dump() == before);
  }
}

TEST_CASE("uchetd --check-config refuses topic templates it cannot fill, with exit 2 naming the key") {
  Uchetctl ctl;  // for its temporary directory
  const std::string uchetd = uchet::test::executable_from_env("UCHETD");
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"event_topic", "application/{application_id}/device/{dev_eui}/event"},
           {"event_topic", "application/{application}/device/{dev_eui}/event/{event}"},
           {"command_topic", "application/{application_id}/command/down"}}) {
    uchet::test::write_file(ctl.file("u.toml"), "[mqtt]\n" + key + " = \"" + value + "\"\n");
    auto r = uchet::test::run({uchetd, "--config", ctl.file("u.toml"), "--check-config"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("mqtt." + key) != std::string::npos);
  }
  uchet::test::write_file(ctl.file("u.toml"),
                          "[mqtt]\nevent_topic = \"application/{application_id}/device/{dev_eui}/event/{event}\"\n"
                          "command_topic = \"application/{application_id}/device/{dev_eui}/command/down\"\n");
  CHECK(uchet::test::run({uchetd, "--config", ctl.file("u.toml"), "--check-config"}).exit_code == 0);
}

TEST_CASE("uchetd --check-config names time.time_zone when it is no zone") {
  Uchetctl ctl;  // for its temporary directory
  const std::string uchetd = uchet::test::executable_from_env("UCHETD");
  std::vector<std::string> names = kArgvNames;
  names.push_back(kNulName);
  for (const auto& name : names) {
    std::string escaped;  // a TOML basic string: the NUL as \u0000
    for (char c : name) escaped += c == '\0' ? std::string("\\u0000") : std::string(1, c);
    uchet::test::write_file(ctl.file("u.toml"), "[time]\ntime_zone = \"" + escaped + "\"\n");
    auto r = uchet::test::run({uchetd, "--config", ctl.file("u.toml"), "--check-config"});
    INFO(name.substr(0, 20) << ": " << r.err.substr(0, 400));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("time.time_zone") != std::string::npos);
    CHECK(r.err.size() < 1000);
  }
  uchet::test::write_file(ctl.file("u.toml"), "[time]\ntime_zone = \"Europe/Moscow\"\n");
  CHECK(uchet::test::run({uchetd, "--config", ctl.file("u.toml"), "--check-config"}).exit_code == 0);
}

TEST_CASE("uchetd --check-config refuses a bad [[integration.http]] entry, with exit 2 naming the key") {
  Uchetctl ctl;  // for its temporary directory
  const std::string uchetd = uchet::test::executable_from_env("UCHETD");
  uchet::test::write_file(ctl.file("u.toml"), "[[integration.http]]\nurl = \"gopher://hooks.example.com/\"\n");
  auto r = uchet::test::run({uchetd, "--config", ctl.file("u.toml"), "--check-config"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("integration.http[0].url") != std::string::npos);
  uchet::test::write_file(ctl.file("u.toml"),
                          "[[integration.http]]\nurl = \"https://hooks.example.com/uchet\"\nevents = [\"up\"]\n");
  CHECK(uchet::test::run({uchetd, "--config", ctl.file("u.toml"), "--check-config"}).exit_code == 0);
}
