#include "gateway-bridge/json_writer.h"

#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace uchet::bridge {

struct JsonWriter::Impl {
  // An up event with three receptions is ~900 bytes: one allocation in the common case.
  rapidjson::StringBuffer buffer{nullptr, 1024};
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator,
                    rapidjson::kWriteValidateEncodingFlag>
      writer{buffer};
};

namespace {

void must(bool ok, std::string_view what, std::string_view text) {
  if (!ok) throw JsonWriteError(std::string("JSON ") + std::string(what) + " is not UTF-8: " + std::string(text.substr(0, 64)));
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
  must(impl_->writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size())), "key", name);
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  must(impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size())), "string", value);
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
  if (std::isfinite(value)) impl_->writer.Double(value);
  else impl_->writer.Null();
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

}  // namespace uchet::bridge
