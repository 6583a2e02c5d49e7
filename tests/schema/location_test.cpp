// Database locations (schema/location.h): which engine a location names, and the printable form
// that never shows a password.
#include <catch2/catch.hpp>

#include "schema/location.h"

using namespace uchet::schema;

TEST_CASE("postgresql:// and postgres:// URIs name PostgreSQL, anything else an SQLite file") {
  CHECK(is_postgresql_location("postgresql://uchet@db/uchet"));
  CHECK(is_postgresql_location("postgres:///uchet?host=/run/postgresql"));
  CHECK_FALSE(is_postgresql_location("/var/lib/uchet/uchet.db"));
  CHECK_FALSE(is_postgresql_location("uchet.db"));
  CHECK_FALSE(is_postgresql_location("postgresql.db"));
}

TEST_CASE("the printable location masks the password of the user-info part and of password=") {
  CHECK(printable_location("postgresql://uchet:s3cr%40t@db.example:5432/uchet") ==
        "postgresql://uchet:***@db.example:5432/uchet");
  CHECK(printable_location("postgres://uchet:pw@db/uchet?sslmode=require&password=other") ==
        "postgres://uchet:***@db/uchet?sslmode=require&password=***");
  CHECK(printable_location("postgresql:///uchet?host=/tmp/pg&password=x&user=u") ==
        "postgresql:///uchet?host=/tmp/pg&password=***&user=u");
  CHECK(printable_location("postgresql://db/uchet?password=only") == "postgresql://db/uchet?password=***");
}

TEST_CASE("a location without a password prints as given") {
  CHECK(printable_location("postgresql://uchet@db/uchet") == "postgresql://uchet@db/uchet");
  CHECK(printable_location("postgresql:///uchet?host=/tmp/pg") == "postgresql:///uchet?host=/tmp/pg");
  CHECK(printable_location("/var/lib/uchet/a:b@c.db") == "/var/lib/uchet/a:b@c.db");
}
