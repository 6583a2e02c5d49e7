#include "appserver/application_server.h"

#include "appserver/integration_events.h"
#include "appserver/outbox.h"
#include "codecs/codec.h"
#include "netserver/lorawan/airtime.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/radio_conversion.h"

namespace uchet::appserver {
namespace {

std::int64_t unix_ms(netserver::SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void ApplicationServer::publish(storage::Database& db, const storage::Device& device, std::string_view event,
                                const std::string& body) {
  enqueue_event(db, device_event_topic(device, event), body);
  ++counters_.events;
}

void ApplicationServer::uplink(storage::Database& db, const netserver::UplinkEvent& e) {
  // Built once: stored with the frame and published in the up event.
  auto rx_info = rx_info_json(*e.receptions);
  auto tx_info = tx_info_json(e.receptions->front());
  std::optional<std::int64_t> f_port;
  if (e.f_port) f_port = *e.f_port;
  storage::Statement(db,
                     "INSERT INTO uplink_frame (deduplication_id, dev_eui, dev_addr, f_cnt, f_port, confirmed, dr, payload, "
                     "rx_info, tx_info, received_at_ms, network_time_ms, network_time_gps) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, e.deduplication_id)
      .bind(2, lorawan::eui64_to_string(e.device->dev_eui))
      .bind(3, lorawan::dev_addr_to_string(e.dev_addr))
      .bind(4, static_cast<std::int64_t>(e.f_cnt))
      .bind(5, f_port)
      .bind(6, e.confirmed ? 1 : 0)
      .bind(7, e.dr)
      .bind_blob(8, e.data)
      .bind(9, rx_info)
      .bind(10, tx_info)
      .bind(11, unix_ms(e.received_at))
      .bind(12, unix_ms(e.network_time))
      .bind(13, e.network_time_from_gps ? 1 : 0)
      .run();
  ++counters_.frames_stored;
  const std::int64_t frame_id = db.last_insert_rowid();
  const std::int64_t received_at = unix_ms(e.received_at) / 1000;
  if (silence_may_be_open(db, e.device->dev_eui)) {
    if (auto closed = close_silence(db, e.device->dev_eui, received_at, frame_id)) {
      publish_alarm(db, *e.device, *closed);
    } else {
      maybe_silent_->erase(e.device->dev_eui);
    }
  }

  nlohmann::json object;
  if (!e.device->codec.empty() && e.f_port && *e.f_port > 0) {
    auto decoded = codecs::decode(e.device->codec, *e.f_port, e.data);
    if (decoded) {
      object = codecs::to_json(*decoded);
      ++counters_.decoded;
      FrameContext context;
      context.frame_id = frame_id;
      context.received_at = received_at;
      context.network_time = static_cast<double>(unix_ms(e.network_time)) / 1000.0;
      context.time_on_air_s =
          std::chrono::duration<double>(lorawan::time_on_air(netserver::to_lorawan_rate(e.receptions->front().data_rate),
                                                             e.phy_payload_size, true))
              .count();
      auto metering = apply_decoded(db, *e.device, *decoded, context, metering_);
      for (const auto& change : metering.alarms) publish_alarm(db, *e.device, change);
    } else {
      ++counters_.codec_errors;
      log(db, netserver::LogEvent{e.received_at, e.device, "ERROR", "UPLINK_CODEC", decoded.error(),
                                  {{"codec", e.device->codec},
                                   {"fPort", std::to_string(*e.f_port)},
                                   {"fCnt", std::to_string(e.f_cnt)},
                                   {"deduplicationId", e.deduplication_id}}});
    }
  }
  publish(db, *e.device, "up", up_event_json(e, object, rx_info, tx_info));
}

void ApplicationServer::joined(storage::Database& db, const netserver::JoinEvent& e) {
  publish(db, *e.device, "join", join_event_json(e));
}

void ApplicationServer::status(storage::Database& db, const netserver::StatusEvent& e) {
  publish(db, *e.device, "status", status_event_json(e));
}

void ApplicationServer::ack(storage::Database& db, const netserver::AckEvent& e) {
  publish(db, *e.device, "ack", ack_event_json(e));
}

void ApplicationServer::tx_ack(storage::Database& db, const netserver::TxAckEvent& e) {
  publish(db, *e.device, "txack", txack_event_json(e));
}

void ApplicationServer::log(storage::Database& db, const netserver::LogEvent& e) {
  if (e.device) publish(db, *e.device, "log", log_event_json(e));
}

void ApplicationServer::publish_alarm(storage::Database& db, const storage::Device& device, const AlarmChange& change) {
  publish(db, device, "alarm", alarm_event_json(device, change));
}

void ApplicationServer::check_silence(storage::Database& db, std::int64_t now) {
  storage::Transaction tx(db);
  auto changes = open_silence_alarms(db, now);
  for (const auto& [dev_eui, change] : changes) {
    if (auto device = storage::find_device(db, dev_eui)) publish_alarm(db, *device, change);
  }
  tx.commit();
  if (maybe_silent_) {
    for (const auto& change : changes) maybe_silent_->insert(change.first);
  }
  if (!changes.empty()) committed();
}

void ApplicationServer::committed() {
  if (on_committed_) on_committed_();
}

void ApplicationServer::rolled_back() { maybe_silent_.reset(); }

bool ApplicationServer::silence_may_be_open(storage::Database& db, lorawan::Eui64 dev_eui) {
  if (!maybe_silent_) {
    std::unordered_set<lorawan::Eui64> open;
    storage::Statement q(db, "SELECT DISTINCT dev_eui FROM alarm WHERE kind = 'silent' AND closed_at IS NULL");
    while (q.step()) {
      if (auto eui = lorawan::parse_eui64(q.text(0))) open.insert(*eui);
    }
    maybe_silent_ = std::move(open);
  }
  return maybe_silent_->contains(dev_eui);
}

}  // namespace uchet::appserver
