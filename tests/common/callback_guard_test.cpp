// run_guarded: what every libmosquitto and Asio callback of uchetd runs its work in.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "common/callback_guard.h"

using namespace uchet::common;

TEST_CASE("run_guarded keeps every exception inside and counts it") {
  const auto before = callback_failures();
  bool ran = false;
  run_guarded("test: fine", [&] { ran = true; });
  CHECK(ran);
  CHECK(callback_failures() == before);
  for (int i = 0; i < 3; ++i) {  // the second and third are counted but not logged (once a minute)
    REQUIRE_NOTHROW(run_guarded("test: throws", [] { throw std::invalid_argument("bad topic"); }));
  }
  REQUIRE_NOTHROW(run_guarded("test: throws an int", [] { throw 42; }));
  CHECK(callback_failures() == before + 4);
}
