#include "tools/uchetd/daemon.h"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "schema/database.h"
#include "schema/migrations.h"

namespace uchet {

int run_daemon(const Config& config) {
  auto db = storage::Database::open(config.storage.path);
  spdlog::info("uchetd {} starting: database {} (schema v{}), region {}, gateway bridge on {}", "0.1.0",
               config.storage.path, storage::schema_version(db), config.network.region, config.gateway_bridge.bind);

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", signo);
    io.stop();
  });
  io.run();
  spdlog::info("uchetd stopped");
  return 0;
}

}  // namespace uchet
