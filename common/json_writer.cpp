#include "common/json_writer.h"

#include <cmath>

#include <fmt/format.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/names.h"

namespace uchet::common {

struct JsonWriter::Impl {
  // An up event with three receptions is ~900 bytes: one allocation in the common case.
  rapidjson::StringBuffer buffer{nullptr, 1024};
  // No kWriteValidateEncodingFlag: the text is checked before it gets here (check_utf8), because
  // RapidJSON 1.1.0's validator reads up to 3 bytes past the end of a truncated sequence.
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

namespace {

// Refuses text that is not UTF-8 before RapidJSON sees it. The message shows the text's bytes
// in hex: printing them raw would put the invalid bytes into the log.
void check_utf8(std::string_view what, std::string_view text) {
  if (common::is_valid_utf8(text)) return;
  std::string hex;
  for (unsigned char c : text.substr(0, 32)) hex += fmt::format("{:02X}", c);
  throw JsonWriteError(
      fmt::format("JSON {} is not UTF-8 ({} bytes: {}{})", what, text.size(), hex, text.size() > 32 ? "..." : ""));
}

}  // namespace

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;

JsonWriter& JsonWriter::begin_object() {
  impl_->writer.StartObject();
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  impl_->writer.EndObject();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  impl_->writer.StartArray();
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  impl_->writer.EndArray();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  check_utf8("key", name);
  impl_->writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  check_utf8("string", value);
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  impl_->writer.Bool(value);
  return *this;
}

JsonWriter& JsonWriter::null() {
  impl_->writer.Null();
  return *this;
}

JsonWriter& JsonWriter::number(double value) {
  if (std::isfinite(value))
    impl_->writer.Double(value);
  else
    impl_->writer.Null();
  return *this;
}

JsonWriter& JsonWriter::signed_number(std::int64_t value) {
  impl_->writer.Int64(value);
  return *this;
}

JsonWriter& JsonWriter::unsigned_number(std::uint64_t value) {
  impl_->writer.Uint64(value);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  // The type only tells RapidJSON whether a value may follow as a key; any value will do.
  impl_->writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

std::string JsonWriter::str() const { return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize()); }

}  // namespace uchet::common
