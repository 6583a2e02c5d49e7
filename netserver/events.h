#pragma once
// What the network server hands downstream: plain values describing accepted frames and
// protocol events, and the sink interface the application server implements.
//
// The sink is handed the unit of work of that frame (schema::UnitOfWork, schema/database.h):
// one savepoint per frame in a transaction shared by the frames of a dedup-timer pass, which
// also holds the frame's session counters, join state and queue changes. Whatever the sink
// stores through `work` commits or rolls back together with them, so an event is never
// announced for a frame that was not stored. The sink never sees the network server's
// connection as such: it cannot begin, commit or roll back, only call stores (and nest a
// savepoint). It is called on the network server's thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/types.h"
#include "schema/database.h"
#include "schema/devices.h"

namespace uchet::netserver {

using SystemTime = std::chrono::system_clock::time_point;

struct UplinkEvent {
  std::string deduplication_id;  // UUID, one per deduplicated frame
  SystemTime received_at;        // server time the frame was accepted
  const schema::Device* device = nullptr;
  lorawan::DevAddr dev_addr = 0;
  bool adr = false;
  int dr = 0;
  std::uint32_t f_cnt = 0;
  std::optional<std::uint8_t> f_port;
  bool confirmed = false;
  lorawan::Bytes data;               // decrypted FRMPayload (application payload; empty for FPort 0)
  std::size_t phy_payload_size = 0;  // for the time on air
  const std::vector<gateway_bridge::Reception>* receptions = nullptr;
  // The best network estimate of when the frame ended on air (gateway GPS time if any,
  // otherwise the server clock), used for device clock tracking.
  SystemTime network_time;
  bool network_time_from_gps = false;
};

struct JoinEvent {
  std::string deduplication_id;
  SystemTime time;
  const schema::Device* device = nullptr;
  lorawan::DevAddr dev_addr = 0;
};

struct StatusEvent {
  std::string deduplication_id;
  SystemTime time;
  const schema::Device* device = nullptr;
  int margin = 0;
  bool external_power_source = false;
  std::optional<double> battery_level_percent;  // absent when the device does not know
};

struct AckEvent {
  SystemTime time;
  const schema::Device* device = nullptr;
  std::string queue_item_id;  // the queue item's UUID (schema::QueueItem::queue_item_id)
  bool acknowledged = false;  // false: the confirmed downlink expired unacknowledged
  std::uint32_t f_cnt_down = 0;
};

// A gateway's answer (TX_ACK) to one of the device's downlinks — join-accepts and MAC-only
// frames included; the sink decides what its consumers are told of which.
struct TxAckEvent {
  SystemTime time;
  const schema::Device* device = nullptr;
  lorawan::Eui64 gateway_eui = 0;
  gateway_bridge::TransmissionId token = 0;
  std::optional<std::string> queue_item_id;  // set when the downlink carried a queue item
  std::uint32_t f_cnt_down = 0;
  gateway_bridge::Transmission transmission;  // the window the outcome is for (its payload left empty)
  gateway_bridge::CounterTime uplink_at;      // the uplink it answers, on the same gateway's counter (class A)
  std::string error;                          // empty when the gateway scheduled the transmission, else its reason
  std::string warning;                        // a warning that came with a scheduled one (TxOutcome::warning)
};

struct LogEvent {
  SystemTime time;
  const schema::Device* device = nullptr;
  std::string level;  // "INFO", "WARNING", "ERROR"
  std::string code;   // one of ChirpStack's integration.LogCode names, e.g. "UPLINK_CODEC", "EXPIRED"
  std::string description;
  std::vector<std::pair<std::string, std::string>> context;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void uplink(schema::UnitOfWork& work, const UplinkEvent& event) = 0;
  virtual void joined(schema::UnitOfWork& work, const JoinEvent& event) = 0;
  virtual void status(schema::UnitOfWork& work, const StatusEvent& event) = 0;
  virtual void ack(schema::UnitOfWork& work, const AckEvent& event) = 0;
  virtual void tx_ack(schema::UnitOfWork& work, const TxAckEvent& event) = 0;
  virtual void log(schema::UnitOfWork& work, const LogEvent& event) = 0;
  // After a transaction with events committed (wakes the MQTT publisher).
  virtual void committed() {}
  // After work the sink did was rolled back (a frame's savepoint, or a whole transaction):
  // in-memory state the sink derived from it may be wrong and should be reread.
  virtual void rolled_back() {}
};

}  // namespace uchet::netserver
