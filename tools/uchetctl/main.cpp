// uchetctl: administration of a uchet database, beside a running uchetd or without one.
#include <iostream>
#include <sstream>

#include "schema/database.h"
#include "schema/key_encryption.h"
#include "tools/balance_settings.h"
#include "tools/config.h"
#include "tools/uchetctl/commands.h"

namespace {

int run(int argc, char** argv) {
  using namespace uchet;
  CLI::App app{"uchetctl — administer uchet: applications, gateways, devices"};
  app.require_subcommand(1);
  std::string config_path, db_path;
  bool json = false;
  app.add_option("--config", config_path, "uchetd configuration file (its [storage] database is used)");
  app.add_option("--db", db_path, "the database: an SQLite file or a postgresql:// URI (default: var/uchet.db)");
  app.add_flag("--json", json, "print results as JSON");
  // Global options may also follow the subcommand (`uchetctl device list --json`), as users of
  // other CLIs type them; every subcommand inherits this when it is created below.
  app.fallthrough();

  cli::Action action;
  cli::add_application_commands(app, action);
  cli::add_gateway_commands(app, action);
  cli::add_device_commands(app, action);
  cli::add_reading_commands(app, action);
  cli::add_lifecycle_commands(app, action);
  cli::add_object_commands(app, action);
  cli::add_balance_commands(app, action);
  cli::add_export_commands(app, action);
  cli::add_fleet_commands(app, action);
  cli::add_instance_commands(app, action);
  cli::Maintenance maintenance;
  cli::add_database_commands(app, maintenance);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "uchetctl: " << e.what() << "\n";
    return 2;
  }

  try {
    if (!config_path.empty() && !db_path.empty()) throw cli::UsageError("give either --config or --db, not both");
    Config config;
    if (!config_path.empty()) {
      auto loaded = load_config(config_path);
      if (!loaded) throw cli::UsageError(loaded.error());
      config = *loaded;
    }
    std::string path = config.storage.location();
    if (!db_path.empty()) path = db_path;
    if (maintenance) {
      std::ostringstream result;
      const int code = maintenance(path, cli::Output{json, result});
      std::cout << result.str();
      return code;
    }
    auto db = schema::Database::open(path);
    // Keys are wrapped on add/import and unwrapped for --show-keys with the configuration's KEK;
    // a database whose keys are wrapped needs it (--db alone cannot read their keys).
    auto keys = schema::open_key_encryption(db, config.storage.kek);
    if (!keys) throw cli::UsageError(keys.error());
    // Results are printed only after the commit, so nothing is reported that did not happen.
    std::ostringstream result;
    cli::Output output{json, result};
    cli::Context context{db, output, config.time.time_zone, uchet::balance_settings(config)};
    schema::Transaction tx(db);
    action(context);
    tx.commit();
    std::cout << result.str();
    return 0;
  } catch (const cli::UsageError& e) {
    std::cerr << "uchetctl: " << e.what() << "\n";
    return 2;
  } catch (const schema::StorageError& e) {
    std::cerr << "uchetctl: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A bug, not a usage error: one line and exit code 1 instead of an abort. Nothing was
  // committed (the transaction's destructor rolled it back).
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "uchetctl: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "uchetctl: internal error: unknown exception\n";
  }
  return 1;
}
