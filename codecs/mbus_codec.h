// Contract: M-Bus telegram -> normalised DecodedPayload for the codecs `mbus`,
// `karat-307-mbus` and `karat-compact-mbus` (same decoding; the KARAT names pin fPort 2 as
// docs/karat-payloads.md §2 says, `mbus` accepts any application fPort).
// Plain numeric records of known physical quantities become Readings in canonical units;
// everything else (identifiers, dates, texts, per-unit/limit/duration variants, unknown VIFs,
// manufacturer data) is kept in `extra`, never dropped.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec.h"
#include "codecs/mbus_records.h"
#include "codecs/mbus_telegram.h"

namespace uchet::codecs::mbus {

// The raw (un-normalised) decode: telegram layer plus every record, in telegram order.
struct RawTelegram {
  Telegram telegram;
  std::vector<Record> records;
};
std::expected<RawTelegram, std::string> decode_raw(Bytes payload);

// JSON of one raw record, as stored in extra.records.
nlohmann::json record_to_json(const Record& record);

DecodeResult decode_payload(std::string_view codec_name, std::uint8_t fport, Bytes payload);

// Clock observations from the date-time record; no clock correction, time request or
// reporting period (the same for the three M-Bus codec names).
const CodecBehaviour& behaviour();

}  // namespace uchet::codecs::mbus
