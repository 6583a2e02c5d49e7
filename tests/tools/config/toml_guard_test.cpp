// The guard in front of toml++ (tools/toml_guard.h): non-ASCII bytes are refused outside quoted
// strings and comments, and NUL bytes anywhere, naming the line; everything a configuration may
// legitimately hold passes through to toml++ (and parse_config) untouched.
#include <catch2/catch.hpp>

#include "tools/config.h"
#include "tools/toml_guard.h"

using uchet::toml_text_refusal;

TEST_CASE("non-ASCII text in strings and comments passes the guard") {
  CHECK_FALSE(toml_text_refusal("[time]\ntime_zone = \"Европа/Москва\"  # часовой пояс\n"));
  CHECK_FALSE(toml_text_refusal("# комментарий\n[mqtt]\npassword = 'пароль'\n"));
  CHECK_FALSE(toml_text_refusal("[mqtt]\npassword = \"\"\"многострочный\n\"пароль\"\n\"\"\"\n"));
  CHECK_FALSE(toml_text_refusal("[mqtt]\npassword = '''строка\n'''\n"));
  CHECK_FALSE(toml_text_refusal("[mqtt]\npassword = \"a\\\"б\"\n"));  // an escaped quote stays inside
  CHECK_FALSE(toml_text_refusal(""));
}

TEST_CASE("non-ASCII bytes outside strings and comments are refused with the line") {
  auto key = toml_text_refusal("[network]\nрегион = \"RU864\"\n");
  REQUIRE(key);
  CHECK_THAT(*key, Catch::StartsWith("line 2: a non-ASCII character"));
  auto after_string = toml_text_refusal("[mqtt]\npassword = \"x\"\n\nusername = \"a\" б\n");
  REQUIRE(after_string);
  CHECK_THAT(*after_string, Catch::StartsWith("line 4:"));
  auto after_multiline = toml_text_refusal("[mqtt]\npassword = \"\"\"a\nb\"\"\"\nü = 1\n");
  REQUIRE(after_multiline);
  CHECK_THAT(*after_multiline, Catch::StartsWith("line 4:"));
  auto table = toml_text_refusal("[сеть]\n");
  REQUIRE(table);
  CHECK_THAT(*table, Catch::StartsWith("line 1:"));
}

TEST_CASE("a NUL byte is refused anywhere") {
  auto nul = toml_text_refusal(std::string("[\0", 2));
  REQUIRE(nul);
  CHECK(*nul == "line 1: a NUL byte");
  CHECK(toml_text_refusal(std::string("# a\n\"x\0\"", 8)));
}

TEST_CASE("parse_config refuses what the guard refuses, naming the source and line") {
  auto parsed = uchet::parse_config("[network]\nрегион = \"RU864\"\n", "uchet.toml");
  REQUIRE_FALSE(parsed);
  CHECK_THAT(parsed.error(), Catch::StartsWith("uchet.toml: line 2: a non-ASCII character"));
  CHECK(uchet::parse_config("[time]\ntime_zone = \"Asia/Yekaterinburg\" # Екатеринбург\n", "uchet.toml"));
}
