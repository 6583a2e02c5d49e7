#include "schema/applications.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

#include "common/uuid.h"

namespace uchet::schema {
namespace {

constexpr const char* kSelect =
    "SELECT a.id, a.name, a.description, a.created_at, "
    "(SELECT COUNT(*) FROM device d WHERE d.application_id = a.id), a.time_zone, a.uuid FROM application a ";

Application read_application(const Statement& q) {
  return Application{q.int64(0), q.text(1), q.text(2), q.int64(3), q.int64(4), q.text(5), q.text(6)};
}

}  // namespace

std::optional<Application> find_application(Database& db, const std::string& name) {
  Statement q(db, std::string(kSelect) + "WHERE a.name = ?");
  q.bind(1, name);
  if (!q.step()) return std::nullopt;
  return read_application(q);
}

std::vector<Application> list_applications(Database& db) {
  Statement q(db, std::string(kSelect) + "ORDER BY a.name");
  std::vector<Application> out;
  while (q.step()) out.push_back(read_application(q));
  return out;
}

std::int64_t insert_application(Database& db, const std::string& name, const std::string& description,
                                const std::string& time_zone) {
  Statement insert(
      db,
      "INSERT INTO application (name, description, created_at, time_zone, uuid) VALUES (?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, name).bind(2, description).bind(3, unix_now()).bind(4, time_zone).bind(5, common::random_uuid());
  return inserted_id(insert);
}

void delete_application(Database& db, std::int64_t id, bool with_devices) {
  if (with_devices) Statement(db, "DELETE FROM device WHERE application_id = ?").bind(1, id).run();
  Statement(db, "DELETE FROM application WHERE id = ?").bind(1, id).run();
}

}  // namespace uchet::schema
