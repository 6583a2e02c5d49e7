// Fuzz target: frames that get past the MIC. One ABP device (KARAT-926LW codec, EU868) is
// provisioned in an in-memory database, and each input becomes an uplink of that device with a
// correct MIC and the next frame counter: byte 0 its flags (confirmed, ADR, ADRAckReq, ACK),
// byte 1 its FPort (or none), byte 2 how many of the following bytes are FOpts (MAC commands),
// the rest its payload. The real network server (dedup, FCnt, MAC command handling, ADR,
// downlink planning) and the real application server (codec, readings, alarms, events) handle
// it inside a unit of work, as in uchetd.
#include <boost/asio.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "appserver/application_server.h"
#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/region.h"
#include "netserver/network_server.h"
#include "schema/applications.h"
#include "schema/devices.h"

namespace {

using namespace uchet;

constexpr lorawan::Eui64 kGateway = 0xAA555A0000000001;
constexpr lorawan::Eui64 kDevEui = 0x0011223344556677;
constexpr lorawan::DevAddr kDevAddr = 0x26011234;
const lorawan::Key kNwkSKey{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                            0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
const lorawan::Key kAppSKey{0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                            0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f};

// Every downlink the network server plans is accepted as sent.
struct Gateways : gateway_bridge::GatewayBackend {
  gateway_bridge::TransmissionId next = 0;
  lorawan::Result<void> start(boost::asio::io_context&, gateway_bridge::BackendCallbacks) override { return {}; }
  void stop() override {}
  lorawan::Result<gateway_bridge::TransmissionId> send(lorawan::Eui64, const gateway_bridge::Transmission&) override {
    return ++next;
  }
  gateway_bridge::BackendCounters counters() const override { return {}; }
};

struct Network {
  schema::Database db = schema::Database::open(":memory:");
  boost::asio::io_context io;
  appserver::ApplicationServer application;
  Gateways gateways;
  std::unique_ptr<netserver::NetworkServer> server;
  std::uint32_t f_cnt = 0;

  Network() {
    const auto app = schema::insert_application(db, "water", "");
    schema::Device device;
    device.dev_eui = kDevEui;
    device.application_id = app;
    device.abp = true;
    device.codec = "karat-926lw";
    device.created_at = schema::unix_now();
    schema::insert_device(db, device, schema::AbpSession{kDevAddr, kNwkSKey, kAppSKey});
    netserver::NetworkSettings settings{.region = *lorawan::region_by_name("EU868")};
    settings.dedup_window = std::chrono::milliseconds(1);
    server = std::make_unique<netserver::NetworkServer>(io, db, settings, application, gateways);
    server->start();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Network network;
  if (size < 3) return 0;
  const std::uint8_t flags = data[0];
  lorawan::DataFrame frame;
  frame.mhdr.mtype = (flags & 0x01) ? lorawan::MType::ConfirmedDataUp : lorawan::MType::UnconfirmedDataUp;
  frame.fctrl.adr = flags & 0x02;
  frame.fctrl.adr_ack_req = flags & 0x04;
  frame.fctrl.ack = flags & 0x08;
  if (!(flags & 0x10)) frame.fport = data[1];
  const std::size_t fopts = std::min<std::size_t>(data[2] & 0x0f, size - 3);
  frame.fopts.assign(data + 3, data + 3 + fopts);
  const lorawan::Bytes payload(data + 3 + fopts, data + size);
  const std::uint32_t f_cnt = network.f_cnt + 1;
  frame.dev_addr = kDevAddr;
  frame.fcnt16 = static_cast<std::uint16_t>(f_cnt);
  if (frame.fport) {
    const auto& key = *frame.fport == 0 ? kNwkSKey : kAppSKey;
    frame.frm_payload = lorawan::encrypt_frm_payload(key, lorawan::Direction::Uplink, kDevAddr, f_cnt, payload);
  }
  auto bytes = lorawan::build_data_frame(frame);
  if (!bytes) return 0;  // not a frame a device could send (FOpts with FPort 0, too long)
  lorawan::set_mic(*bytes, lorawan::data_mic_10(kNwkSKey, lorawan::Direction::Uplink, kDevAddr, f_cnt,
                                                lorawan::mic_message(*bytes)));
  network.f_cnt = f_cnt;

  gateway_bridge::Reception rx;
  rx.gateway_eui = kGateway;
  rx.counter = gateway_bridge::CounterTime{f_cnt * 1000u, f_cnt * 1000ull};
  rx.frequency_hz = 868'100'000;
  rx.rssi_dbm = -40 - (flags >> 5) * 10;
  rx.snr_db = 10.0 - (flags >> 5) * 4;
  rx.data_rate = gateway_bridge::LoraRate{7 + (flags >> 6), 125};
  rx.phy_payload = std::move(*bytes);
  network.server->handle_uplink(std::move(rx));
  // Let the 1 ms dedup window close and the pass run (and commit).
  network.io.restart();
  network.io.run_for(std::chrono::milliseconds(5));
  return 0;
}
