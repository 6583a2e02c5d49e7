#include "tests/support/chirpstack_contract.h"

#include <map>
#include <stdexcept>
#include <vector>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

namespace uchet::test {
namespace pb = google::protobuf;

namespace {

class CollectErrors : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int column, const std::string& message) override {
    errors += file + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message + "\n";
  }
  std::string errors;
};

}  // namespace

struct ChirpStackContract::Impl {
  pb::compiler::DiskSourceTree tree;
  CollectErrors errors;
  pb::compiler::Importer importer{&tree, &errors};
  pb::DynamicMessageFactory factory;
};

ChirpStackContract::ChirpStackContract() : impl_(std::make_unique<Impl>()) {
  impl_->tree.MapPath("", std::string(UCHET_TEST_DATA) + "/chirpstack-api");
  impl_->tree.MapPath("", "/usr/include");  // google/protobuf/{timestamp,duration,struct}.proto
  for (const char* file : {"integration/integration.proto", "gw/gw.proto"}) {
    if (!impl_->importer.Import(file))
      throw std::runtime_error(std::string("cannot load ") + file + ":\n" + impl_->errors.errors);
  }
}

ChirpStackContract::~ChirpStackContract() = default;

std::optional<std::string> ChirpStackContract::rejection(std::string_view message, const std::string& json) const {
  const pb::Descriptor* descriptor = impl_->importer.pool()->FindMessageTypeByName(std::string(message));
  if (!descriptor) return "no message " + std::string(message) + " in ChirpStack's definitions";
  std::unique_ptr<pb::Message> parsed(impl_->factory.GetPrototype(descriptor)->New());
  pb::util::JsonParseOptions strict;  // the defaults: unknown fields are errors
  const auto status = pb::util::JsonStringToMessage(json, parsed.get(), strict);
  if (status.ok()) return std::nullopt;
  return std::string(status.message());
}

std::optional<std::string> ChirpStackContract::message_for_event(std::string_view event) {
  static const std::map<std::string, std::string, std::less<>> messages = {
      {"up", "integration.UplinkEvent"},         {"join", "integration.JoinEvent"},
      {"ack", "integration.AckEvent"},           {"txack", "integration.TxAckEvent"},
      {"log", "integration.LogEvent"},           {"status", "integration.StatusEvent"},
      {"location", "integration.LocationEvent"}, {"integration", "integration.IntegrationEvent"},
  };
  auto it = messages.find(event);
  if (it == messages.end()) return std::nullopt;
  return it->second;
}

}  // namespace uchet::test
