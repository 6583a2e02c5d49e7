#pragma once
// Writes one JSON document front to back into a string (RapidJSON's streaming Writer underneath).
// What uchetd writes per frame goes through it: the integration events (appserver), the MAC
// state stored with each session (netserver) and the txpk of a PULL_RESP (gateway-bridge). Building an
// nlohmann tree and dumping it took ~30 % of the network server thread's time at 13,000
// uplinks/s (BENCHMARKS.md, run L). Reading stays with json_fields.h (simdjson) and nlohmann.
//
// Calls must nest correctly (every begin_* closed, a key before each value inside an object):
// that is the caller's job, checked only by assert in debug builds. Strings must be UTF-8;
// anything else throws JsonWriteError — an event with broken text is never half-written.
// Non-finite numbers are written as null, as nlohmann's dump() does.
#include <concepts>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace uchet::common {

struct JsonWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  JsonWriter& number(double value);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& number(T value) {
    if constexpr (std::is_signed_v<T>)
      return signed_number(value);
    else
      return unsigned_number(value);
  }
  // A value that is already JSON text (an nlohmann dump, an array written by another writer).
  JsonWriter& raw(std::string_view json);

  // The text so far; complete once every begin_* is closed.
  std::string str() const;

 private:
  JsonWriter& signed_number(std::int64_t value);
  JsonWriter& unsigned_number(std::uint64_t value);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uchet::common
