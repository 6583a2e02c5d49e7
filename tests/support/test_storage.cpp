#include "tests/support/test_storage.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <vector>

#include "schema/database.h"

namespace uchet::test {
namespace {

std::string cluster_uri(const std::string& database) {
  return "postgresql:///" + database + "?host=" + test_cluster_dir() + "&user=postgres";
}

// Drops this process's databases at exit (FORCE: a uchetd a test left running is disconnected).
struct CreatedDatabases {
  std::vector<std::string> names;
  ~CreatedDatabases() {
    if (names.empty()) return;
    try {
      auto admin = schema::Database::open_raw(cluster_uri("postgres"));
      for (const auto& name : names) admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The cluster is gone already (stopped at the end of the run): nothing to drop.
    }
  }
};

}  // namespace

bool testing_postgresql() {
  const char* storage = std::getenv("UCHET_TEST_STORAGE");
  if (!storage || std::string(storage).empty() || std::string(storage) == "sqlite") return false;
  if (std::string(storage) == "postgresql") return true;
  throw std::runtime_error("UCHET_TEST_STORAGE must be sqlite or postgresql, not " + std::string(storage));
}

std::string test_cluster_dir() {
  if (const char* dir = std::getenv("UCHET_TEST_PG_DIR"); dir && *dir) return dir;
  return UCHET_DEFAULT_TEST_PG_DIR;
}

std::string test_database_location(const std::filesystem::path& dir) {
  if (!testing_postgresql()) return (dir / "uchet.db").string();
  static std::map<std::filesystem::path, std::string> by_dir;
  if (auto it = by_dir.find(dir); it != by_dir.end()) return it->second;
  return by_dir[dir] = new_postgresql_database();
}

std::string new_postgresql_database() {
  static CreatedDatabases created;
  static std::atomic<int> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::string name =
      "uchet_test_" + std::to_string(::getpid()) + "_" + std::to_string(now) + "_" + std::to_string(counter++);
  auto admin = schema::Database::open_raw(cluster_uri("postgres"));
  admin.exec("CREATE DATABASE " + name);
  created.names.push_back(name);
  return cluster_uri(name);
}

std::string storage_config(const std::string& location) {
  if (location.starts_with("postgresql://")) return "backend = \"postgresql\"\ndsn = \"" + location + "\"\n";
  return "path = \"" + location + "\"\n";
}

}  // namespace uchet::test
