// The EUI text forms of the Basics Station protocol: ID6 as the station's own encoder writes it
// (selftest_ujenc.c of station 2.0.6) and as its glossary shows it, dashed bytes, plain hex; and
// each malformed text refused with a reason.
#include <catch2/catch.hpp>

#include <string>

#include "gateway-bridge/basic_station/eui_text.h"

using namespace uchet::gateway_bridge::basic_station;
namespace lorawan = uchet::lorawan;

namespace {

std::string reason(std::string_view text) {
  auto eui = parse_eui_text(text);
  REQUIRE_FALSE(eui);
  return eui.error();
}

}  // namespace

TEST_CASE("ID6 as station 2.0.6 writes it") {
  // The known answers of the station's encoder self-test.
  CHECK(format_eui_id6(0x0000000000000000) == "::0");
  CHECK(format_eui_id6(0x0000000000000001) == "::1");
  CHECK(format_eui_id6(0x0000000000020001) == "::2:1");
  CHECK(format_eui_id6(0x0004000000000001) == "4::1");
  CHECK(format_eui_id6(0x0004000300000000) == "4:3::");
  CHECK(format_eui_id6(0x0004000000000000) == "4::");
  CHECK(format_eui_id6(0x0000000300020000) == "0:3:2:0");
  CHECK(format_eui_id6(0x0016c001ff1e0b51) == "16:c001:ff1e:b51");
  CHECK(format_eui_id6(0xb827ebfffee1e39a) == "b827:ebff:fee1:e39a");
}

TEST_CASE("ID6 texts parse to their EUI") {
  // The glossary's examples and the forms above.
  CHECK(parse_eui_text("::0").value() == 0);
  CHECK(parse_eui_text("1::").value() == 0x0001000000000000);
  CHECK(parse_eui_text("::a:b").value() == 0x00000000000a000b);
  CHECK(parse_eui_text("f::1").value() == 0x000f000000000001);
  CHECK(parse_eui_text("f:a123:f8:100").value() == 0x000fa12300f80100);
  CHECK(parse_eui_text("16:c001:ff1e:b51").value() == 0x0016c001ff1e0b51);
  CHECK(parse_eui_text("4:3::").value() == 0x0004000300000000);
  CHECK(parse_eui_text("0:3:2:0").value() == 0x0000000300020000);
  CHECK(parse_eui_text("1::2:3").value() == 0x0001000000020003);
  CHECK(parse_eui_text("B827:EBFF:FEE1:E39A").value() == 0xb827ebfffee1e39a);
  CHECK(parse_eui_text("::").value() == 0);
}

TEST_CASE("every EUI survives ID6 and dashed text") {
  for (const lorawan::Eui64 eui : {0x0ull, 0x1ull, 0xffffffffffffffffull, 0x0001000000000000ull, 0x8000000000000001ull,
                                   0x0000ffff00000000ull, 0x00000000ffff0000ull, 0x1234000000005678ull}) {
    CHECK(parse_eui_text(format_eui_id6(eui)).value() == eui);
    CHECK(parse_eui_text(format_eui_dashed(eui)).value() == eui);
  }
}

TEST_CASE("dashed bytes, colon bytes and plain hex") {
  CHECK(format_eui_dashed(0xb827ebfffee1e39a) == "b8-27-eb-ff-fe-e1-e3-9a");
  CHECK(parse_eui_text("b8-27-eb-ff-fe-e1-e3-9a").value() == 0xb827ebfffee1e39a);
  CHECK(parse_eui_text("B8-27-EB-FF-FE-E1-E3-9A").value() == 0xb827ebfffee1e39a);
  CHECK(parse_eui_text("b8:27:eb:ff:fe:e1:e3:9a").value() == 0xb827ebfffee1e39a);
  CHECK(parse_eui_text("b827ebfffee1e39a").value() == 0xb827ebfffee1e39a);
}

TEST_CASE("malformed EUI texts are refused with a reason") {
  CHECK(reason("") == "EUI is empty");
  CHECK(reason("b827ebfffee1e39") == "EUI \"b827ebfffee1e39\" must be 16 hex digits, got 15");
  CHECK(reason("b827ebfffee1e39a00").find("16 hex digits") != std::string::npos);
  CHECK(reason("b8-27-eb-ff-fe-e1-e3").find("eight bytes") != std::string::npos);
  CHECK(reason("b8-27-eb-ff-fe-e1-e3-9") .find("eight bytes") != std::string::npos);
  CHECK(reason("b8-27:eb-ff-fe-e1-e3-9a").find("mixes") != std::string::npos);
  CHECK(reason("b8-27-eb-ff-fe-e1-e3-9g").find("character other than") != std::string::npos);
  CHECK(reason("1:2:3").find("not ID6") != std::string::npos);        // three groups, no gap
  CHECK(reason("1:2:3:4:5").find("not ID6") != std::string::npos);    // five groups
  CHECK(reason("1::2::3").find("not ID6") != std::string::npos);      // two gaps
  CHECK(reason(":::1").find("not ID6") != std::string::npos);
  CHECK(reason("1:2::3:4").find("not ID6") != std::string::npos);     // the gap stands for nothing
  CHECK(reason("12345::1").find("not ID6") != std::string::npos);     // a group of 5 digits
  CHECK(reason("1:2:3:").find("not ID6") != std::string::npos);
  CHECK(reason(std::string(100, '1')).find("too long") != std::string::npos);
  CHECK(reason("eui-b827ebfffee1e39a").find("character other than") != std::string::npos);
}
