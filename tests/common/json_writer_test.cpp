#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "common/json_writer.h"

using uchet::common::JsonWriteError;
using uchet::common::JsonWriter;

TEST_CASE("JsonWriter writes nested objects and arrays with commas where they belong") {
  JsonWriter w;
  w.begin_object();
  w.key("a").number(1);
  w.key("b").begin_array().number(-2).number(std::uint64_t{18446744073709551615ULL}).boolean(true).null().end_array();
  w.key("c").begin_object().key("d").string("e").end_object();
  w.key("f").number(0.1);
  w.end_object();
  CHECK(w.str() == R"({"a":1,"b":[-2,18446744073709551615,true,null],"c":{"d":"e"},"f":0.1})");
}

TEST_CASE("JsonWriter escapes what JSON requires and keeps UTF-8 as it is") {
  JsonWriter w;
  w.begin_array().string("quote \" backslash \\ newline \n tab \t bell \x07").string("вода").end_array();
  CHECK(w.str() == "[\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\",\"вода\"]");
  CHECK(nlohmann::json::parse(w.str())[1] == "вода");
}

TEST_CASE("JsonWriter keeps a NUL inside a string") {
  JsonWriter w;
  w.begin_array().string(std::string_view("a\0b", 3)).end_array();
  CHECK(nlohmann::json::parse(w.str())[0] == std::string("a\0b", 3));
}

TEST_CASE("JsonWriter refuses text that is not UTF-8, in values and in keys") {
  {
    JsonWriter w;
    w.begin_array();
    CHECK_THROWS_AS(w.string("\xc3("), JsonWriteError);  // a lead byte without its continuation
  }
  {
    JsonWriter w;
    w.begin_object();
    CHECK_THROWS_AS(w.key("\xed\xa0\x80"), JsonWriteError);  // an encoded UTF-16 surrogate
  }
}

TEST_CASE("JsonWriter refuses a UTF-8 sequence cut short at the end of the text without reading past it") {
  // Heap copies of exactly the text's size: RapidJSON 1.1.0's own validator read up to three
  // bytes past such an end (AddressSanitizer, heap over-read), so the writer checks first.
  for (const std::string text : {"\xF2", "a\xF2\x80", "ab\xE2\x82", "\xC3"}) {
    const auto heap = std::make_unique<char[]>(text.size());
    std::memcpy(heap.get(), text.data(), text.size());
    const std::string_view exact(heap.get(), text.size());
    JsonWriter w;
    w.begin_object();
    CHECK_THROWS_AS(w.key(exact), JsonWriteError);
    CHECK_THROWS_AS(w.string(exact), JsonWriteError);
  }
}

TEST_CASE("JsonWriter writes non-finite numbers as null, as nlohmann does") {
  JsonWriter w;
  w.begin_array()
      .number(std::numeric_limits<double>::quiet_NaN())
      .number(std::numeric_limits<double>::infinity())
      .number(-2.5)
      .end_array();
  CHECK(w.str() == "[null,null,-2.5]");
}

TEST_CASE("JsonWriter embeds JSON text written elsewhere as one value") {
  JsonWriter inner;
  inner.begin_array().number(1).number(2).end_array();
  JsonWriter w;
  w.begin_object().key("x").raw(inner.str()).key("y").raw(R"({"z":null})").end_object();
  CHECK(w.str() == R"({"x":[1,2],"y":{"z":null}})");
}
