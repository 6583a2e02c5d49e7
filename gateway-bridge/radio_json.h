#pragma once
// A data rate and coding rate (radio.h) as JSON members, in the one form every internal text
// between uchetd instances uses — the relayed transmission (cluster_relay/relayed_transmission.h)
// and the reception handed over with a frame claim (netserver/reception_codec.h):
//   "data_rate": {"sf": 7, "bw_khz": 125}  or  {"fsk_bps": 50000},
//   "coding_rate": 5..8 (4/5..4/8)  or  null
// The reader treats the object as untrusted (another process wrote it) and checks the values as
// a gateway's would: SF5-SF12 at 125, 250 or 500 kHz (check_lora_rate), FSK 500-300000 bps
// (check_fsk_rate), coding rate 5..8; every refusal names the member.
//
// Writing goes through common::JsonWriter, reading through common::json_fields (simdjson), as
// for every gateway protocol. Pure; any thread.
#include <optional>

#include "common/json_fields.h"
#include "common/json_writer.h"
#include "gateway-bridge/radio.h"

namespace uchet::gateway_bridge {

// Writes the two members "data_rate" and "coding_rate" into the object being written.
void write_radio_rate(common::JsonWriter& writer, const DataRate& rate, std::optional<CodingRate> coding_rate);

// The member "data_rate" of `object`: required.
lorawan::Result<DataRate> read_data_rate(const common::json_fields::json& object);
// The member "coding_rate" of `object`: required, null for none.
lorawan::Result<std::optional<CodingRate>> read_coding_rate(const common::json_fields::json& object);

// The rates from values already read, checked as above: for a text form whose members are laid
// out otherwise (a reception handed over by an older uchetd, reception_codec.h's version 1).
lorawan::Result<LoraRate> checked_lora_rate(std::uint64_t spreading_factor, std::uint64_t bandwidth_khz);
lorawan::Result<CodingRate> checked_coding_rate(std::uint64_t coding_rate);

}  // namespace uchet::gateway_bridge
