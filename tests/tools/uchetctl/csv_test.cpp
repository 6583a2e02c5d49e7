#include <catch2/catch.hpp>

#include "tools/uchetctl/csv.h"

using uchet::cli::parse_csv;

TEST_CASE("CSV records keep quoted commas, doubled quotes, newlines and their line numbers") {
  auto r = parse_csv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"two\nlines\",\n3,,z");
  REQUIRE(r);
  REQUIRE(r->size() == 4);
  CHECK((*r)[0].fields == std::vector<std::string>{"a", "b", "c"});
  CHECK((*r)[1].fields == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK((*r)[1].line == 2);
  CHECK((*r)[2].fields == std::vector<std::string>{"2", "two\nlines", ""});
  CHECK((*r)[2].line == 4);
  CHECK((*r)[3].fields == std::vector<std::string>{"3", "", "z"});
  CHECK((*r)[3].line == 6);
}

TEST_CASE("malformed CSV is refused with the line") {
  auto open_quote = parse_csv("a,b\n1,\"never closed\n");
  REQUIRE_FALSE(open_quote);
  CHECK_THAT(open_quote.error(), Catch::Contains("line 2"));
  auto trailing = parse_csv("a,b\n\"x\"y,2\n");
  REQUIRE_FALSE(trailing);
  CHECK_THAT(trailing.error(), Catch::Contains("after a closing quote"));
}

TEST_CASE("an empty text has no records") {
  auto r = parse_csv("");
  REQUIRE(r);
  CHECK(r->empty());
}
