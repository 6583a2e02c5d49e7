#pragma once
// Wires the stages together and runs them until SIGINT/SIGTERM. Returns the exit code.
#include "tools/config.h"

namespace uchet {

int run_daemon(const Config& config);

}  // namespace uchet
