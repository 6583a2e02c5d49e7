#pragma once
// Where a database is: the one string Database::open takes. A location beginning with
// `postgresql://` or `postgres://` is a libpq connection URI (e.g.
// `postgresql://uchet:secret@db.example/uchet`, or `postgresql:///uchet?host=/run/postgresql`
// for a Unix socket); anything else is an SQLite file path. Pure functions, any thread.
//
// A URI may carry a password. printable_location() is the form every log line and error
// message uses: the password (in the user-info part or as a `password=` parameter) replaced by
// `***`, everything else as given.
#include <string>
#include <string_view>

namespace uchet::schema {

bool is_postgresql_location(std::string_view location);

std::string printable_location(std::string_view location);

}  // namespace uchet::schema
