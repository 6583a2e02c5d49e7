#pragma once
// Contract: uchetd's log lines as JSON ([log] format = "json"), one object per line for journald,
// Loki and the like:
//   {"time":"2026-12-06T14:37:45.123+05:00","level":"info","thread":"gateway-bridge","message":"..."}
// `thread` names the stage that logged (the threads are named after them: gateway-bridge, uchetd
// for the network and application servers on the main loop, mqtt-publish, checkpoint, http,
// db-figures). The messages, their levels and their rate limits are exactly those of the text
// format: only the framing changes. Invalid UTF-8 in a message (say, a name from a packet) is
// written as U+FFFD, so every line stays valid JSON. Installed once at start by main(), before
// any thread logs.
#include <spdlog/formatter.h>
#include <memory>

namespace uchet {

std::unique_ptr<spdlog::formatter> json_log_formatter();

}  // namespace uchet
