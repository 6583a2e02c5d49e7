#pragma once
// The integrated application server: the network server's EventSink. For every accepted uplink
// it keeps the raw frame, runs the device's codec and writes the integration events to the
// MQTT outbox — all in the unit of work the network server hands it for that frame. A codec error is
// published as a `log` event; the raw frame is kept so it can be decoded again later. A
// gateway's TX_ACK becomes a `txack` event only for downlinks that carried a queue item (as in
// ChirpStack: not for join-accepts and MAC-only frames); a refusal or a warning is a `log`
// event DOWNLINK_GATEWAY for any downlink of the device.
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "appserver/integration/integration_events.h"
#include "appserver/integration/topics.h"
#include "appserver/metering/metering.h"
#include "netserver/events.h"

namespace uchet::appserver {

struct ApplicationCounters {
  std::uint64_t frames_stored = 0, decoded = 0, codec_errors = 0, events = 0;
};

class ApplicationServer : public netserver::EventSink {
 public:
  // `on_committed` is called after each transaction that wrote events (wakes the publisher);
  // `topics` places device events ([mqtt] event_topic); `identity` is the tenant and region
  // every ChirpStack event names.
  explicit ApplicationServer(MeteringSettings metering = {}, std::function<void()> on_committed = {},
                             TopicLayout topics = {}, EventIdentity identity = {})
      : metering_(metering),
        on_committed_(std::move(on_committed)),
        identity_(std::move(identity)),
        topics_(std::move(topics)) {}

  void uplink(schema::UnitOfWork& work, const netserver::UplinkEvent& event) override;
  void joined(schema::UnitOfWork& work, const netserver::JoinEvent& event) override;
  void status(schema::UnitOfWork& work, const netserver::StatusEvent& event) override;
  void ack(schema::UnitOfWork& work, const netserver::AckEvent& event) override;
  void tx_ack(schema::UnitOfWork& work, const netserver::TxAckEvent& event) override;
  void log(schema::UnitOfWork& work, const netserver::LogEvent& event) override;
  void committed() override;
  void rolled_back() override;

  // Opens `silent` alarms for devices that stopped reporting, in a transaction of its own on
  // `db` (uchetd's writer connection, between the network server's passes); called periodically.
  void check_silence(schema::Database& db, std::int64_t now);

  const ApplicationCounters& counters() const { return counters_; }

 private:
  void publish(schema::UnitOfWork& work, const schema::Device& device, std::string_view event, const std::string& body);
  void publish_alarm(schema::UnitOfWork& work, const schema::Device& device, const AlarmChange& change);
  // Where a gateway stands (rxInfo.location), read from its row and kept for a minute: a
  // position changed by uchetctl or a GPS report shows in events within that time.
  std::optional<GatewayLocation> gateway_location(schema::UnitOfWork& work, lorawan::Eui64 gateway_eui);
  // identity_ with the device's place (where it is installed) for the event about to be
  // written; places are read from storage and kept for a minute per device, so an installation
  // changed by uchetctl shows in events within that time. The reference is valid until the next
  // call (one thread: the network server's).
  const EventIdentity& identity_for(schema::UnitOfWork& work, const schema::Device& device);
  // False when the device certainly has no open `silent` alarm, so an uplink need not look.
  bool silence_may_be_open(schema::UnitOfWork& work, lorawan::Eui64 dev_eui);
  MeteringSettings metering_;
  // Devices that may have an open `silent` alarm: read from the database on first use (and
  // again after a rollback), added to by check_silence — the only place that opens one — and
  // trimmed when an uplink finds none open. A device stays in it after its alarm is closed
  // until the next uplink confirms, so a closing that is rolled back cannot be forgotten.
  std::optional<std::unordered_set<lorawan::Eui64>> maybe_silent_;
  std::function<void()> on_committed_;
  EventIdentity identity_;
  struct KnownLocation {
    std::optional<GatewayLocation> location;
    std::chrono::steady_clock::time_point read_at;
  };
  std::unordered_map<lorawan::Eui64, KnownLocation> gateway_locations_;
  struct KnownPlace {
    std::optional<schema::DevicePlace> place;
    std::chrono::steady_clock::time_point read_at;
  };
  std::unordered_map<lorawan::Eui64, KnownPlace> device_places_;
  ApplicationCounters counters_;
  TopicLayout topics_;
};

}  // namespace uchet::appserver
