// `uchetctl instance list`: the uchetd instances sharing a PostgreSQL database (docs/deployment.md,
// layout 3) — last heartbeat, live or dead, and the leases each holds.
#include <fmt/format.h>

#include "schema/instances.h"
#include "tools/uchetctl/commands.h"

namespace uchet::cli {

void add_instance_commands(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("instance", "the uchetd instances sharing a PostgreSQL database");
  group->require_subcommand(1);
  auto* list = group->add_subcommand("list", "every instance: last heartbeat, live or dead, leases held");
  list->callback([&selected] {
    selected = [](Context& c) {
      if (c.db.dialect() != schema::Dialect::postgresql)
        throw UsageError("instances exist on PostgreSQL only: one uchetd holds an SQLite database");
      const auto now = schema::unix_now();
      Table t{{"INSTANCE", "STATE", "HEARTBEAT", "STARTED", "HOST", "PID", "VERSION", "LEASES"}, {}};
      auto j = nlohmann::json::array();
      for (const auto& s : schema::list_instances(c.db)) {
        const auto& r = s.record;
        const bool stale = s.live && now - r.heartbeat_at > schema::kStaleHeartbeat;
        const std::string state = !s.live ? "dead" : stale ? "stale" : "live";
        std::string leases;
        for (const auto& l : s.leases) leases += (leases.empty() ? "" : ", ") + l;
        t.rows.push_back(
            {r.name, state, fmt::format("{} ({} s ago)", format_time(r.heartbeat_at), now - r.heartbeat_at),
             format_time(r.started_at), r.host, std::to_string(r.pid), r.version, leases.empty() ? "-" : leases});
        j.push_back({{"instance", r.name},
                     {"state", state},
                     {"heartbeatAt", format_time(r.heartbeat_at)},
                     {"startedAt", format_time(r.started_at)},
                     {"host", r.host},
                     {"pid", r.pid},
                     {"version", r.version},
                     {"leases", s.leases}});
      }
      c.output.table(t, j);
    };
  });
}

}  // namespace uchet::cli
