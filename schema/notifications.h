#pragma once
// PostgreSQL LISTEN/NOTIFY for uchetd instances sharing one database (docs/deployment.md,
// layout 3): a wake-up between instances, never the data itself. The sender writes its rows and
// calls notify() in the same transaction, so the notification is delivered only if (and when)
// the rows are committed; the listener re-reads its table when woken. Notifications can be
// missed (the listening connection dropped, the listener was not yet listening): the table is
// the truth, and drain() says when one may have been missed so the user re-reads it.
//
// Notifications is a connection of its own (LISTEN belongs to a session; the writer's connection
// would receive notifications only between its statements). Its user waits for socket() to be
// readable (boost::asio::posix::stream_descriptor, released — not closed — before the socket
// changes) and then calls drain(). After the connection drops, drain() opens it again (PQreset,
// which tries a multi-host URI's hosts again) and LISTENs again to every channel; socket() may
// then be another descriptor, and the result says `may_have_missed`.
//
// Channels are plain identifiers (letters, digits, underscores): LISTEN takes an identifier,
// not a parameter. Payloads are text up to PostgreSQL's 8000 bytes.
//
// PostgreSQL only: open() refuses an SQLite location, notify() an SQLite connection (one SQLite
// file has one uchetd, which needs no wake-ups from others). libpq stays inside schema/.
//
// Threads: a Notifications is used by one thread at a time; notify() runs on the caller's
// connection like any store call.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

struct Notification {
  std::string channel;
  std::string payload;
  bool operator==(const Notification&) const = default;
};

class Notifications {
 public:
  // Connects to the PostgreSQL `location` (a libpq URI), naming the session `application_name`
  // when given (what pg_stat_activity shows an operator; kept across reconnects). Throws
  // StorageError if it cannot, or if the location is an SQLite file.
  static std::unique_ptr<Notifications> open(const std::string& location, const std::string& application_name = {});
  ~Notifications();
  Notifications(const Notifications&) = delete;
  Notifications& operator=(const Notifications&) = delete;

  // LISTENs to `channel` now and again after every reconnect. Throws StorageError for a name
  // that is not an identifier, or when the server refuses.
  void listen(std::string_view channel);

  // The connection's socket, to wait on for readability; -1 while the connection is down (the
  // user then calls drain() again after a while, which tries to reconnect).
  int socket() const;

  struct Drained {
    std::vector<Notification> notifications;  // in the order the server sent them
    // The connection was lost since the last drain (and opened again when `connected`): a
    // notification sent meanwhile is gone, so the user re-reads its tables.
    bool may_have_missed = false;
    bool connected = true;  // false: still down, socket() is -1; call again later
    std::string error;      // why the connection is down (no password in it)
  };
  // Reads what arrived without waiting; reconnects first when the connection dropped.
  Drained drain();

 private:
  struct Impl;
  explicit Notifications(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `SELECT pg_notify(channel, payload)` on `db`: inside a transaction it is delivered at its
// commit (and not at all if it rolls back), otherwise at once. PostgreSQL only (throws on SQLite).
void notify(Database& db, std::string_view channel, std::string_view payload);

}  // namespace uchet::schema
