#include "appserver/integration/outbox.h"

#include <mosquitto.h>
#include <simdjson.h>

#include <stdexcept>
#include <string>

namespace uchet::appserver {

void enqueue_event(schema::Database& db, std::string_view topic, std::string_view payload_json) {
  const std::string topic_copy(topic);  // mosquitto's checks want a C string
  if (topic.empty() || mosquitto_pub_topic_check2(topic_copy.c_str(), topic_copy.size()) != MOSQ_ERR_SUCCESS ||
      mosquitto_validate_utf8(topic_copy.data(), static_cast<int>(topic_copy.size())) != MOSQ_ERR_SUCCESS) {
    throw std::invalid_argument("not a valid MQTT topic to publish to: '" + topic_copy + "'");
  }
  // simdjson's SIMD check: the payload is validated once more here, for every event, and
  // mosquitto_validate_utf8 (a byte at a time) cost 1.4 % of uchetd at 18,000 events/s.
  if (!simdjson::validate_utf8(payload_json.data(), payload_json.size())) {
    throw std::invalid_argument("event payload for '" + topic_copy + "' is not valid UTF-8");
  }
  schema::insert_outbox_row(db, topic, payload_json);
}

}  // namespace uchet::appserver
