#pragma once
// The contract a strict ChirpStack v4 consumer holds uchet's JSON to: ChirpStack's own message
// definitions (tests/data/chirpstack-api, read at run time with libprotobuf's importer, no
// generated code) and protobuf's canonical JSON parser with its defaults — an unknown field, a
// wrong type or an unknown enum name is an error, as it is for Go's protojson.Unmarshal and
// Python's json_format.Parse.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace uchet::test {

class ChirpStackContract {
 public:
  ChirpStackContract();  // loads the .proto files; throws if they cannot be read
  ~ChirpStackContract();

  // Why `json` is not a valid `message` (e.g. "integration.UplinkEvent", "gw.GatewayStats"),
  // or std::nullopt when a strict consumer accepts it.
  std::optional<std::string> rejection(std::string_view message, const std::string& json) const;

  // The event kind of a ChirpStack integration topic (".../event/up") to its message name.
  static std::optional<std::string> message_for_event(std::string_view event);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uchet::test
