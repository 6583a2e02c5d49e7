// Placeholder until this command group lands (replaced by its implementation).
#include "tools/uchetctl/commands.h"

namespace uchet::cli {
void add_export_commands(CLI::App&, Action&) {}
}  // namespace uchet::cli
