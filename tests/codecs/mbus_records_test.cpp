// Hand-made EN 13757-3 records: data types, DIF/VIF structure limits, kept-raw unknowns,
// and the link-layer checks of long frames.
#include <catch2/catch.hpp>

#include <vector>

#include "codecs/mbus_codec.h"

using namespace uchet::codecs;
using namespace uchet::codecs::mbus;
using Bytes8 = std::vector<std::uint8_t>;

namespace {

// CI 0x78: application layer without header, records follow directly.
std::vector<Record> records(Bytes8 body) {
  body.insert(body.begin(), 0x78);
  auto r = decode_raw(body);
  INFO((r ? std::string("ok") : r.error()));
  REQUIRE(r.has_value());
  return r->records;
}

std::string error_of(Bytes8 body) {
  body.insert(body.begin(), 0x78);
  auto r = decode_raw(body);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

Record one(Bytes8 body) {
  auto r = records(std::move(body));
  REQUIRE(r.size() == 1);
  return r[0];
}

Bytes8 long_frame(Bytes8 app, std::uint8_t c = 0x08) {
  Bytes8 f{0x68, static_cast<std::uint8_t>(app.size() + 2), static_cast<std::uint8_t>(app.size() + 2), 0x68, c, 0x01};
  f.insert(f.end(), app.begin(), app.end());
  std::uint8_t sum = 0;
  for (std::size_t i = 4; i < f.size(); ++i) sum = static_cast<std::uint8_t>(sum + f[i]);
  f.push_back(sum);
  f.push_back(0x16);
  return f;
}

}  // namespace

TEST_CASE("integer data types", "[mbus][records]") {
  CHECK(one({0x01, 0x13, 0xFF}).number == Approx(-0.001));             // int8
  CHECK(one({0x02, 0x13, 0x00, 0x80}).number == Approx(-32.768));      // int16
  CHECK(one({0x03, 0x13, 0x01, 0x00, 0x00}).number == Approx(0.001));  // int24
  CHECK(one({0x04, 0x13, 0x78, 0x56, 0x34, 0x12}).number == Approx(305419.896));
  CHECK(one({0x06, 0x16, 0x01, 0, 0, 0, 0, 0x01}).number == Approx(1099511627777.0));     // int48
  CHECK(one({0x07, 0x16, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}).number == -2);  // int64
  CHECK(one({0x05, 0x5B, 0x00, 0x00, 0x48, 0x42}).number == Approx(50.0));                // real32
  CHECK(one({0x00, 0x13}).value_kind == ValueKind::none);                                 // no data
  CHECK(one({0x08, 0x13}).value_kind == ValueKind::none);                                 // selection for readout
  // bit fields are unsigned
  CHECK(one({0x04, 0xFD, 0x17, 0x00, 0x00, 0x00, 0x80}).number == 2147483648.0);
}

TEST_CASE("BCD data types, negative and invalid BCD", "[mbus][records]") {
  CHECK(one({0x09, 0x13, 0x42}).number == Approx(0.042));
  CHECK(one({0x0A, 0x13, 0x34, 0x12}).number == Approx(1.234));
  CHECK(one({0x0B, 0x13, 0x56, 0x34, 0x12}).number == Approx(123.456));
  CHECK(one({0x0C, 0x13, 0x78, 0x56, 0x34, 0x12}).number == Approx(12345.678));
  CHECK(one({0x0E, 0x13, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12}).number == Approx(123456789.012));
  CHECK(one({0x0A, 0x13, 0x12, 0xF3}).number == Approx(-0.312));  // 0xF top nibble = minus
  const auto bad = one({0x0A, 0x13, 0x1A, 0x00});
  CHECK(bad.value_kind == ValueKind::bytes);
  CHECK(bad.value_note == "invalid BCD digit");
}

TEST_CASE("variable-length data (LVAR)", "[mbus][records]") {
  const auto text = one({0x0D, 0xFD, 0x11, 0x03, 'C', 'B', 'A'});
  CHECK(text.value_kind == ValueKind::text);
  CHECK(text.text == "ABC");
  CHECK(one({0x0D, 0xFD, 0x11, 0x01, 0xB0}).text == "\xC2\xB0");                  // ISO 8859-1 -> UTF-8
  CHECK(one({0x0D, 0x13, 0xC2, 0x34, 0x12}).number == Approx(1.234));             // positive BCD, 4 digits
  CHECK(one({0x0D, 0x13, 0xD2, 0x34, 0x12}).number == Approx(-1.234));            // negative BCD
  CHECK(one({0x0D, 0x13, 0xE2, 0x10, 0x00}).number == Approx(0.016));             // binary
  CHECK(one({0x0D, 0x5B, 0xF4, 0x00, 0x00, 0x48, 0x42}).number == Approx(50.0));  // float
  CHECK_THAT(error_of({0x0D, 0x13, 0xFB, 0x00}), Catch::Contains("reserved LVAR 0xFB"));
  CHECK_THAT(error_of({0x0D, 0x13, 0x05, 'a'}), Catch::Contains("premature end of data"));
}

TEST_CASE("calendar types F, G, I, J", "[mbus][records]") {
  CHECK(one({0x04, 0x6D, 0x0B, 0x0B, 0xCD, 0x13}).calendar.text() == "2014-03-13T11:11:00");
  CHECK(one({0x02, 0x6C, 0xFF, 0x0C}).calendar.text() == "2007-12-31");
  CHECK(one({0x06, 0x6D, 0x1E, 0x0B, 0x0B, 0xCD, 0x13, 0x00}).calendar.text() == "2014-03-13T11:11:30");
  CHECK(one({0x03, 0x6D, 0x05, 0x04, 0x03}).calendar.text() == "03:04:05");
  const auto invalid = one({0x04, 0x6D, 0x8B, 0x0B, 0xCD, 0x13});  // IV bit
  CHECK_FALSE(invalid.calendar.valid);
  CHECK(invalid.value_note == "invalid or unset date/time");
  CHECK_FALSE(one({0x02, 0x6C, 0x3E, 0x02}).calendar.valid);             // 30 February
  CHECK_FALSE(one({0x02, 0x6C, 0x3D, 0x02}).calendar.valid);             // 2001-02-29
  CHECK(one({0x02, 0x6C, 0x9D, 0x02}).calendar.text() == "2004-02-29");  // leap year
  CHECK(one({0x04, 0xFD, 0x70, 0x0B, 0x0B, 0xCD, 0x13}).quantity == "battery_change_time");
}

TEST_CASE("DIF/DIFE: function, storage, tariff, subunit across DIFEs", "[mbus][records]") {
  const auto r = one({0xD4, 0xC5, 0x9A, 0x01, 0x13, 1, 0, 0, 0});
  CHECK(r.function == Function::maximum);
  // storage: DIF bit 1 | 5<<1 | 0xA<<5 | 1<<9 ; tariff: 0 | 1<<2 | 0<<4 ; subunit: 1 | 0<<1 | 0<<2
  CHECK(r.storage == (1u | 5u << 1 | 0xAu << 5 | 1u << 9));
  CHECK(r.tariff == (0u | 1u << 2));
  CHECK(r.subunit == 1);
  CHECK(r.difes.size() == 3);
}

TEST_CASE("at most 10 DIFEs and 10 VIFEs", "[mbus][records]") {
  Bytes8 ten_difes{0x84};
  for (int i = 0; i < 9; ++i) ten_difes.push_back(0x80);
  ten_difes.push_back(0x00);
  Bytes8 ok = ten_difes;
  ok.insert(ok.end(), {0x13, 1, 0, 0, 0});
  CHECK(one(ok).difes.size() == 10);
  Bytes8 eleven{0x84};
  for (int i = 0; i < 10; ++i) eleven.push_back(0x80);
  eleven.insert(eleven.end(), {0x00, 0x13, 1, 0, 0, 0});
  CHECK_THAT(error_of(eleven), Catch::Contains("too many DIFEs"));

  Bytes8 ten_vifes{0x01, 0x93};
  for (int i = 0; i < 9; ++i) ten_vifes.push_back(0xBB);
  ten_vifes.insert(ten_vifes.end(), {0x3B, 0x05});
  CHECK(one(ten_vifes).vib.size() == 11);
  Bytes8 eleven_vifes{0x01, 0x93};
  for (int i = 0; i < 10; ++i) eleven_vifes.push_back(0xBB);
  eleven_vifes.insert(eleven_vifes.end(), {0x3B, 0x05});
  CHECK_THAT(error_of(eleven_vifes), Catch::Contains("too many VIFEs"));
}

TEST_CASE("VIF extensions and combinable VIFEs", "[mbus][records]") {
  const auto fb = one({0x04, 0xFB, 0x08, 2, 0, 0, 0});  // 0.1 GJ units
  CHECK(fb.quantity == "energy");
  CHECK(fb.unit == "J");
  CHECK(fb.number == Approx(2e8));
  const auto fd = one({0x02, 0xFD, 0x48, 0x44, 0x09});
  CHECK(fd.quantity == "voltage");
  CHECK(fd.number == Approx(237.2));
  const auto plain = one({0x02, 0xFC, 0x03, 'H', 'R', '%', 0x74, 0x22, 0x15});
  CHECK(plain.quantity == "plain_text");
  CHECK(plain.plain_text_unit == "%RH");
  CHECK(plain.number == Approx(54.1));  // VIFE 0x74: x 10^-2
  const auto reverse = one({0x04, 0x86, 0x3C, 5, 0, 0, 0});
  CHECK(reverse.reverse);
  CHECK_FALSE(reverse.changes_meaning);
  const auto per_pulse = one({0x04, 0x90, 0x28, 0xA0, 0x86, 0x01, 0x00});
  CHECK(per_pulse.changes_meaning);
  CHECK(per_pulse.qualifiers == std::vector<std::string>{"per_input_pulse_0"});
  const auto err = one({0x04, 0x93, 0x15, 0, 0, 0, 0});
  CHECK(err.record_error == "no_data_available");
  const auto manuf = one({0x04, 0x93, 0xFF, 0x3C, 1, 0, 0, 0});  // VIFEs after 0x7F are opaque
  CHECK(manuf.manufacturer_vife);
  CHECK_FALSE(manuf.reverse);
  CHECK(one({0x04, 0x93, 0x7D, 1, 0, 0, 0}).number == Approx(1.0));  // x1000
}

TEST_CASE("unknown VIFs are kept raw and do not stop later records", "[mbus][records]") {
  const auto r = records({0x02, 0x6F, 0x34, 0x12, 0x02, 0xFD, 0x3F, 0x01, 0x00, 0x04, 0x13, 1, 0, 0, 0});
  REQUIRE(r.size() == 3);
  CHECK_FALSE(r[0].known);
  CHECK(r[0].data == Bytes8{0x34, 0x12});
  CHECK_FALSE(r[1].known);
  CHECK(r[2].known);
  CHECK(r[2].number == Approx(0.001));
}

TEST_CASE("idle filler, manufacturer data and more-records-follow", "[mbus][records]") {
  const auto r = records({0x2F, 0x01, 0x13, 0x05, 0x2F, 0x2F, 0x1F, 0xAA, 0xBB});
  REQUIRE(r.size() == 2);
  CHECK(r[0].number == Approx(0.005));
  CHECK(r[1].kind == Record::Kind::more_records_follow);
  CHECK(r[1].data == Bytes8{0xAA, 0xBB});
  CHECK(records({0x0F}).at(0).kind == Record::Kind::manufacturer_data);
  CHECK_THAT(error_of({0x3F, 0x00}), Catch::Contains("reserved special-function DIF 0x3F"));
}

TEST_CASE("premature ends are errors, not reads past the end", "[mbus][records]") {
  CHECK_THAT(error_of({0x84}), Catch::Contains("premature end of data at DIFE"));
  CHECK_THAT(error_of({0x04}), Catch::Contains("premature end of data at VIF"));
  CHECK_THAT(error_of({0x04, 0x93}), Catch::Contains("premature end of data at VIFE"));
  CHECK_THAT(error_of({0x04, 0xFD}), Catch::Contains("premature end of data at VIFE"));
  CHECK_THAT(error_of({0x04, 0x13, 1, 2}), Catch::Contains("needs 4 data bytes, 2 left"));
  CHECK_THAT(error_of({0x04, 0x7C}), Catch::Contains("plain-text VIF length"));
  CHECK_THAT(error_of({0x04, 0x7C, 0xC0}), Catch::Contains("plain-text VIF too long"));
}

TEST_CASE("too many records", "[mbus][records]") {
  Bytes8 body;
  for (int i = 0; i < 256; ++i) body.insert(body.end(), {0x00, 0x13});
  CHECK_THAT(error_of(body), Catch::Contains("too many records"));
  body.resize(255 * 2);
  CHECK(records(body).size() == 255);
}

TEST_CASE("long frame verification", "[mbus][telegram]") {
  const Bytes8 app{0x78, 0x04, 0x13, 1, 0, 0, 0};
  REQUIRE(decode_raw(long_frame(app)).has_value());
  CHECK(decode_raw(long_frame(app))->telegram.framed);
  auto bad_sum = long_frame(app);
  bad_sum[bad_sum.size() - 2] ^= 1;
  CHECK_THAT(decode_raw(bad_sum).error(), Catch::Contains("checksum mismatch"));
  auto bad_stop = long_frame(app);
  bad_stop.back() = 0x17;
  CHECK_THAT(decode_raw(bad_stop).error(), Catch::Contains("stop byte"));
  auto bad_len = long_frame(app);
  bad_len[2] += 1;
  CHECK_THAT(decode_raw(bad_len).error(), Catch::Contains("length bytes differ"));
  auto extra = long_frame(app);
  extra.push_back(0);
  CHECK_THAT(decode_raw(extra).error(), Catch::Contains("length mismatch"));
  CHECK_THAT(decode_raw(long_frame(app, 0x53)).error(), Catch::Contains("master-to-slave"));
  CHECK_THAT(decode_raw(Bytes8{0x10, 0x5B, 0x01, 0x5C, 0x16}).error(), Catch::Contains("short frame"));
  CHECK_THAT(decode_raw(Bytes8{0xE5}).error(), Catch::Contains("ACK"));
  CHECK_THAT(decode_raw(Bytes8{}).error(), Catch::Contains("empty"));
}

TEST_CASE("application layer headers by CI", "[mbus][telegram]") {
  const auto short_hdr = decode_raw(Bytes8{0x7A, 0x2A, 0x04, 0x00, 0x00, 0x01, 0x13, 0x05});
  REQUIRE(short_hdr.has_value());
  CHECK(short_hdr->telegram.header.kind == Header::Kind::short_header);
  CHECK(short_hdr->telegram.header.access_number == 0x2A);
  CHECK(short_hdr->telegram.header.status == 0x04);
  CHECK(short_hdr->records.size() == 1);
  const auto long_hdr = decode_raw(Bytes8{0x72, 0x78, 0x56, 0x34, 0x12, 0x24, 0x40, 0x01, 0x07, 0x55, 0, 0, 0});
  REQUIRE(long_hdr.has_value());
  const auto& h = long_hdr->telegram.header;
  CHECK(*h.id == "12345678");
  CHECK(*h.manufacturer == "PAD");
  CHECK(*h.medium == 0x07);
  CHECK(h.access_number == 0x55);
  CHECK_THAT(decode_raw(Bytes8{0x72, 0x78, 0x56}).error(), Catch::Contains("long header truncated"));
  CHECK_THAT(decode_raw(Bytes8{0x51, 0x00}).error(), Catch::Contains("unimplemented CI 0x51"));
  CHECK_THAT(decode_raw(Bytes8{0x76}).error(), Catch::Contains("most significant byte first"));
}
