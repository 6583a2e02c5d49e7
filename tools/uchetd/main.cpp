// uchetd: the uchet daemon. gateway bridge, network server and application server in one
// process around one Boost.Asio io_context; configuration from TOML or embedded defaults.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio.hpp>

#include <iostream>

#include "schema/database.h"
#include "schema/migrations.h"
#include "tools/config.h"
#include "tools/uchetd/daemon.h"
#include "tools/uchetd/json_log_format.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"uchetd — LoRaWAN network server and metering application server"};
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration file (default: embedded defaults)");
  bool check_only = false;
  app.add_flag("--check-config", check_only, "validate the configuration and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "uchetd: " << e.what() << "\n";
    return 2;
  }

  uchet::Config config;
  if (!config_path.empty()) {
    auto loaded = uchet::load_config(config_path);
    if (!loaded) {
      std::cerr << "uchetd: " << loaded.error() << "\n";
      return 2;
    }
    config = *loaded;
  }
  if (check_only) {
    std::cout << "configuration OK\n";
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(config.log.level));
  if (config.log.format == "json") {
    spdlog::set_formatter(uchet::json_log_formatter());
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  }
  try {
    return uchet::run_daemon(config);
  } catch (const uchet::schema::StorageError& e) {
    spdlog::critical("storage: {}", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A bug that escaped every handler ends in one line and a non-zero exit for systemd to restart
  // on, never in an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
  } catch (...) {
    spdlog::critical("internal error: unknown exception");
  }
  return 1;
}
