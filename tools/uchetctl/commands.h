#pragma once
// uchetctl's command groups. Each group adds its subcommands to the CLI11 app; the chosen
// command's action runs after parsing, inside one transaction that commits only on success.
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "appserver/metering/object_balance.h"
#include "schema/database.h"
#include "tools/uchetctl/output.h"

namespace uchet::cli {

struct Context {
  schema::Database& db;
  const Output& output;
  std::string time_zone;                 // [time] time_zone of the configuration, for grids and printed times
  appserver::BalanceSettings balance{};  // [balance] and [vee] of the configuration
};

using Action = std::function<void(Context&)>;
// A command on the database file as a whole (backup, check, restore, storage stats): given the
// path instead of an open transaction; returns the exit code.
using Maintenance = std::function<int(const std::string& database_path, const Output& output)>;

// Every group sets `selected` from the callback of the subcommand the user chose.
void add_application_commands(CLI::App& app, Action& selected);
void add_gateway_commands(CLI::App& app, Action& selected);
void add_device_commands(CLI::App& app, Action& selected);
void add_reading_commands(CLI::App& app, Action& selected);
void add_lifecycle_commands(CLI::App& app, Action& selected);
void add_object_commands(CLI::App& app, Action& selected);         // object, premise, point, meter, norm
void add_balance_commands(CLI::App& app, Action& selected);        // balance, reading set
void add_export_commands(CLI::App& app, Action& selected);         // export billing, billing rule
void add_fleet_commands(CLI::App& app, Action& selected);          // fleet report
void add_instance_commands(CLI::App& app, Action& selected);       // instance list (PostgreSQL)
void add_database_commands(CLI::App& app, Maintenance& selected);  // backup, check, restore, storage stats

}  // namespace uchet::cli
