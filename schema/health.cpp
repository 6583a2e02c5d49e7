#include "schema/health.h"

namespace uchet::schema {

std::expected<void, std::string> check_writable(Database& db) {
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
    return {};
  } catch (const StorageError& e) {
    if (db.in_transaction()) {
      try {
        db.exec("ROLLBACK");
      } catch (const StorageError&) {}
    }
    return std::unexpected(e.what());
  }
}

}  // namespace uchet::schema
