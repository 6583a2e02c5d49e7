#include "tools/uchetd/json_log_format.h"

#include <pthread.h>

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <string>
#include <string_view>

#include "common/json_writer.h"
#include "common/names.h"

namespace uchet {
namespace {

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text) {
  if (common::is_valid_utf8(text)) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length > 0 && i + length <= text.size() && common::is_valid_utf8(text.substr(i, length))) {
      out += text.substr(i, length);
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t time;
    time_format_.format(msg, time);
    char thread[16] = {};
    pthread_getname_np(pthread_self(), thread, sizeof thread);
    const auto level = spdlog::level::to_string_view(msg.level);
    common::JsonWriter w;
    w.begin_object()
        .key("time")
        .string(std::string_view(time.data(), time.size()))
        .key("level")
        .string(std::string_view(level.data(), level.size()))
        .key("thread")
        .string(valid_utf8(thread))
        .key("message")
        .string(valid_utf8(std::string_view(msg.payload.data(), msg.payload.size())))
        .end_object();
    const auto line = w.str();
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

 private:
  // The same clock and form as the text format's time stamp.
  spdlog::pattern_formatter time_format_{"%Y-%m-%dT%H:%M:%S.%e%z", spdlog::pattern_time_type::local, ""};
};

}  // namespace

std::unique_ptr<spdlog::formatter> json_log_formatter() { return std::make_unique<JsonFormatter>(); }

}  // namespace uchet
