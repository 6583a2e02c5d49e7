#pragma once
// Which downlinks go first when a gateway's slots or airtime are short. Three tiers:
//   Answer          — join-accepts, ACKs of confirmed uplinks, queued application payloads,
//                     answers the device asked for (LinkCheckAns, RekeyConf, a sticky answer's
//                     acknowledgement, ADRACKReq);
//   ClockCorrection — DeviceTimeAns, and a codec's clock correction waiting in the queue (marked
//                     so by appserver/metering when it queues it);
//   Housekeeping    — MAC requests the network starts (LinkADRReq, DevStatusReq,
//                     RXParamSetupReq, RXTimingSetupReq, NewChannelReq).
// A tier may fill only its share of a sub-band's duty-cycle budget, so the higher ones always
// find airtime left: housekeeping stops at half of the budget, clock corrections at 90 %, answers
// may use all of it. Housekeeping never displaces anything: requests that do not fit are left
// out of the downlink and asked at a later uplink (the MAC state keeps them due).
//
// Pure, header only.
#include <cstdint>
#include <string_view>

namespace uchet::netserver::scheduling {

enum class DownlinkPriority : std::uint8_t { Answer, ClockCorrection, Housekeeping };

constexpr double budget_share(DownlinkPriority priority) {
  switch (priority) {
    case DownlinkPriority::Answer:
      return 1.0;
    case DownlinkPriority::ClockCorrection:
      return 0.9;
    case DownlinkPriority::Housekeeping:
      return 0.5;
  }
  return 0.5;
}

constexpr std::string_view priority_name(DownlinkPriority priority) {
  switch (priority) {
    case DownlinkPriority::Answer:
      return "answer";
    case DownlinkPriority::ClockCorrection:
      return "clock_correction";
    case DownlinkPriority::Housekeeping:
      return "housekeeping";
  }
  return "housekeeping";
}

// What a class A downlink carries, as far as its tier is concerned.
struct DownlinkContents {
  bool join_accept = false;
  bool ack = false;                      // of a confirmed uplink
  bool queue_item = false;               // an application payload
  bool queued_clock_correction = false;  // a codec's clock correction from the queue
  bool device_answers = false;           // LinkCheckAns, RekeyConf, sticky answers, ADRACKReq
  bool device_time = false;              // DeviceTimeAns
};

// The highest tier among what it carries (Housekeeping when it carries only MAC requests).
constexpr DownlinkPriority priority_of(const DownlinkContents& c) {
  if (c.join_accept || c.ack || c.queue_item || c.device_answers) return DownlinkPriority::Answer;
  if (c.device_time || c.queued_clock_correction) return DownlinkPriority::ClockCorrection;
  return DownlinkPriority::Housekeeping;
}

}  // namespace uchet::netserver::scheduling
