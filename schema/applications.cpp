#include "schema/applications.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

constexpr const char* kSelect =
    "SELECT a.id, a.name, a.description, a.created_at, "
    "(SELECT COUNT(*) FROM device d WHERE d.application_id = a.id), a.time_zone, a.uuid FROM application a ";

Application read_application(const Statement& q) {
  return Application{
      q.int64(0), q.text(1), q.text(2), q.int64(3), q.int64(4), q.text(5), q.optional_text(6).value_or("")};
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
  // A random (version 4) UUID, as migration 0009 gave the applications that existed before it.
  Statement(db,
            "INSERT INTO application (name, description, created_at, time_zone, uuid) VALUES (?, ?, ?, ?, "
            "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
            "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) || "
            "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))")
      .bind(1, name)
      .bind(2, description)
      .bind(3, unix_now())
      .bind(4, time_zone)
      .run();
  return db.last_insert_rowid();
}

void delete_application(Database& db, std::int64_t id, bool with_devices) {
  if (with_devices) Statement(db, "DELETE FROM device WHERE application_id = ?").bind(1, id).run();
  Statement(db, "DELETE FROM application WHERE id = ?").bind(1, id).run();
}

}  // namespace uchet::schema
