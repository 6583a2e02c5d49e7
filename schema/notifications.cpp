#include "schema/notifications.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>

#include "schema/location.h"
#include "schema/postgresql_connection.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;  // NAMEDATALEN - 1
  if (std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::ranges::all_of(name, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string trimmed_error(PGconn* conn, const std::string& uri) {
  std::string why = conn ? PQerrorMessage(conn) : "out of memory";
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  mask_password(why, uri);
  return why;
}

}  // namespace

struct Notifications::Impl {
  std::string uri;
  PGconn* conn = nullptr;
  std::vector<std::string> channels;
  bool lost = false;  // dropped since the last drain that reported it

  ~Impl() {
    if (conn) PQfinish(conn);
  }

  // LISTEN on the live connection; false (with the connection marked lost) when it failed.
  bool listen_now(const std::string& channel, std::string* error) {
    PGresult* result = PQexec(conn, ("LISTEN " + channel).c_str());
    const bool ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
    if (!ok && error) *error = trimmed_error(conn, uri);
    PQclear(result);
    return ok;
  }

  // Opens the dropped connection again and LISTENs to every channel.
  bool reconnect(std::string& error) {
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) {
      error = trimmed_error(conn, uri);
      return false;
    }
    for (const auto& channel : channels) {
      if (!listen_now(channel, &error)) return false;
    }
    return true;
  }
};

Notifications::Notifications(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Notifications::~Notifications() = default;

std::unique_ptr<Notifications> Notifications::open(const std::string& location, const std::string& application_name) {
  if (!is_postgresql_location(location)) {
    throw StorageError("notifications need PostgreSQL; " + printable_location(location) + " is an SQLite file");
  }
  auto impl = std::make_unique<Impl>();
  impl->uri = location;
  // The URI expanded as dbname, the name after it (a later keyword wins); PQreset reuses both.
  const char* keywords[] = {"dbname", application_name.empty() ? nullptr : "application_name", nullptr};
  const char* values[] = {location.c_str(), application_name.c_str(), nullptr};
  impl->conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!impl->conn || PQstatus(impl->conn) != CONNECTION_OK) {
    throw StorageError("PostgreSQL notifications: cannot connect to " + printable_location(location) + ": " +
                       trimmed_error(impl->conn, location));
  }
  PQsetNoticeProcessor(
      impl->conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Notifications>(new Notifications(std::move(impl)));
}

void Notifications::listen(std::string_view channel) {
  if (!is_identifier(channel)) {
    throw StorageError("notification channel '" + std::string(channel) +
                       "' is not an identifier (letters, digits and underscores, at most 63)");
  }
  const std::string name(channel);
  if (std::ranges::find(impl_->channels, name) != impl_->channels.end()) return;
  impl_->channels.push_back(name);
  if (PQstatus(impl_->conn) != CONNECTION_OK) return;  // LISTENed at the reconnect
  std::string error;
  if (!impl_->listen_now(name, &error)) {
    if (PQstatus(impl_->conn) == CONNECTION_OK) {
      impl_->channels.pop_back();
      throw StorageError("PostgreSQL LISTEN " + name + ": " + error);
    }
    impl_->lost = true;  // the reconnect in drain() LISTENs again
  }
}

int Notifications::socket() const { return PQstatus(impl_->conn) == CONNECTION_OK ? PQsocket(impl_->conn) : -1; }

Notifications::Drained Notifications::drain() {
  Drained out;
  auto& impl = *impl_;
  // Twice: a server ending the session sends an error (which libpq keeps as a notice while idle)
  // and then closes; the second read finds the close when the first read took the error.
  for (int read = 0; read < 2 && !impl.lost && PQstatus(impl.conn) == CONNECTION_OK; ++read) {
    if (PQconsumeInput(impl.conn) == 0) impl.lost = true;
  }
  if (PQstatus(impl.conn) != CONNECTION_OK) impl.lost = true;
  if (impl.lost && PQstatus(impl.conn) != CONNECTION_OK) {
    if (!impl.reconnect(out.error)) {
      out.connected = false;
      out.may_have_missed = true;
      return out;
    }
  }
  // Notifications that came before the drop, read by the last PQconsumeInput, are still here.
  while (PGnotify* n = PQnotifies(impl.conn)) {
    out.notifications.push_back({n->relname, n->extra ? n->extra : ""});
    PQfreemem(n);
  }
  out.may_have_missed = impl.lost;
  impl.lost = false;
  return out;
}

void notify(Database& db, std::string_view channel, std::string_view payload) {
  if (db.dialect() != Dialect::postgresql) throw StorageError("notify: only PostgreSQL has LISTEN/NOTIFY");
  Statement q(db, "SELECT pg_notify(?, ?)");
  q.bind(1, channel).bind(2, payload);
  q.step();
}

}  // namespace uchet::schema
