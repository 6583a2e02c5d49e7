#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from the tests' own data
(tests/data/lorawan/lorawan-vectors.json, tests/data/mbus/*.hex, uchet.example.toml) and the
shapes the unit tests build. Run once when a target is added; regressions found by fuzzing are
added by hand (named regression-*) and never overwritten: this script only writes seed-* files.
    tests/fuzz/seed_corpora.py"""
import base64, json, os, struct, glob

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


vectors = json.load(open(os.path.join(ROOT, "tests/data/lorawan/lorawan-vectors.json")))
phys = []
for kind in ("join_requests", "join_accepts", "data_frames"):
    for i, v in enumerate(vectors[kind][:10]):
        phy = bytes.fromhex(v["phy_payload"])
        phys.append(phy)
        write("phy_payload", f"{kind}-{i}", phy)
# MAC commands alone: LinkCheckReq, LinkADRAns, DevStatusAns, DeviceTimeReq, RekeyInd, DeviceModeInd.
for i, mac in enumerate(["02", "0307", "06ff2a", "0d", "0b01", "2001", "2002", "030706ff2a0d"]):
    write("phy_payload", f"mac-{i}", bytes.fromhex(mac))

# Semtech UDP: PUSH_DATA with rxpk built from the vectors, stat, PULL_DATA, TX_ACK.
eui = bytes.fromhex("aa555a0000000001")
def push(token, body):
    return bytes([2]) + struct.pack(">H", token) + bytes([0]) + eui + json.dumps(body).encode()
for i, phy in enumerate(phys[:12]):
    rxpk = {"tmst": 1000 + i, "time": "2026-11-22T10:00:00.000000Z", "chan": 2, "rfch": 0, "freq": 868.1,
            "stat": 1, "modu": "LORA", "datr": "SF7BW125", "codr": "4/5", "rssi": -57, "lsnr": 7.5,
            "size": len(phy), "data": base64.b64encode(phy).decode()}
    write("semtech_datagram", f"push-rxpk-{i}", push(i, {"rxpk": [rxpk]}))
write("semtech_datagram", "push-stat", push(1, {"stat": {"time": "2026-11-22 10:00:00 GMT", "lati": 56.8, "long": 60.6,
      "alti": 250, "rxnb": 2, "rxok": 2, "rxfw": 2, "ackr": 100.0, "dwnb": 0, "txnb": 0}}))
write("semtech_datagram", "pull-data", bytes([2, 0x12, 0x34, 2]) + eui)
write("semtech_datagram", "tx-ack-ok", bytes([2, 0x12, 0x34, 5]) + eui)
write("semtech_datagram", "tx-ack-error", bytes([2, 0x12, 0x34, 5]) + eui + b'{"txpk_ack":{"error":"TOO_LATE"}}')
write("semtech_datagram", "tx-ack-none", bytes([2, 0x12, 0x34, 5]) + eui + b'{"txpk_ack":{"error":"NONE"}}')
write("semtech_datagram", "push-empty", push(7, {}))

# Codecs: FPort first, then the payload.
def le32(v): return struct.pack("<I", v)
def le16(v): return struct.pack("<H", v)
T = 1795341600
def snapshot(kind, battery, t, flags, temp, channels):
    b = bytes([kind, battery]) + le32(t) + le16(flags) + bytes([temp, len(channels)])
    for code, reg in channels:
        b += bytes([code]) + le32(reg)
    return b
def archive(start, code, reg, inc):
    return bytes([2]) + le32(start) + bytes([code]) + le32(reg) + bytes([len(inc)]) + b"".join(le16(v) for v in inc)
karat = [(2, snapshot(1, 87, T, 2, 21, [(1, 123456)])),
         (2, snapshot(1, 50, T, 0, 20, [(1, 1000), (2, 2500), (3, 77), (9, 5)])),
         (2, snapshot(3, 0xFF, T, 0xFFFF, 0x80, [(1, 0)])),
         (2, snapshot(1, 10, 0, 0, 0xF6, [(1, 1234)])),
         (2, archive(T, 1, 5000, [])), (2, archive(T, 2, 1000, list(range(1, 25)))),
         (2, archive(T, 1, 1000, [100, 0xFFFF, 200, 300])), (2, archive(0, 1, 10, [1, 2])),
         (3, bytes([4, 1, 2, 3, 4, 5, 6, 7])), (4, le32(T)), (4, le32(0)), (0, b""), (9, b"\x01")]
for i, (fport, payload) in enumerate(karat):
    write("codec_karat_926lw", f"{i}", bytes([fport]) + payload)
mbus_frames = sorted(glob.glob(os.path.join(ROOT, "tests/data/mbus/*.hex")))[:30]
for target in ("codec_karat_307_mbus", "codec_karat_compact_mbus", "codec_mbus"):
    for path in mbus_frames:
        frame = bytes.fromhex(open(path).read().replace(" ", "").replace("\n", ""))
        write(target, os.path.basename(path)[:-4], bytes([2]) + frame)
    write(target, "fport-0", bytes([0]) + b"\x68\x03\x03\x68")

# MQTT command/down: topic line, then the payload.
topic = "application/water/device/0011223344556677/command/down"
for i, payload in enumerate([
        {"devEui": "0011223344556677", "confirmed": False, "fPort": 2, "data": "AQID"},
        {"devEui": "0011223344556677", "confirmed": True, "fPort": 10, "data": ""},
        {"devEui": "0011223344556677", "fPort": 0, "data": "AQ=="},
        {"devEui": "0011223344556677", "fPort": 2, "data": " AQID "},
        {"devEui": "0011223344556677", "fPort": 2, "data": "AQI="},
        {"devEui": "ffffffffffffffff", "fPort": 2, "data": "AQID"},
        {"devEui": "0011223344556677", "fPort": 300, "data": "AQID"},
        {"devEui": "0011223344556677", "fPort": 2, "object": {"a": 1}}]):
    write("command_down", f"{i}", topic + "\n" + json.dumps(payload))
write("command_down", "unknown-device", "application/water/device/0102030405060708/command/down\n{}")
write("command_down", "not-json", topic + "\n{\"devEui\":")

# CSV import.
header = "dev_eui,join_eui,app_key,codec,serial,name,app,nwk_key,mac_version,class\n"
rows = ["0011223344556677,70B3D57ED0000000,000102030405060708090A0B0C0D0E0F,karat-926lw,926001234,кв. 12 ХВС,water,,1.0.3,A",
        "0011223344556678,70B3D57ED0000000,000102030405060708090A0B0C0D0E0F,mbus,1,\"a, \"\"quoted\"\" name\",water,,1.1,C",
        "0011223344556679,70B3D57ED0000000,00,karat-926lw,2,short key,water,,,"]
write("csv_import", "one-row", header + rows[0] + "\n")
write("csv_import", "two-rows-crlf", (header + rows[0] + "\n" + rows[1] + "\n").replace("\n", "\r\n"))
write("csv_import", "bad-row", header + rows[2] + "\n")
write("csv_import", "bom", "\ufeff" + header + rows[0])
write("csv_import", "unterminated-quote", header + "\"0011")
write("csv_import", "header-only", header)

# TOML configuration.
example = open(os.path.join(ROOT, "uchet.example.toml")).read()
write("toml_config", "example", example)
write("toml_config", "empty", "")
write("toml_config", "storage", '[storage]\npath = "/var/lib/uchet/uchet.db"\n')
write("toml_config", "mqtt-tls", '[mqtt]\nserver = "ssl://broker:8883"\nkeepalive_s = 60\n')
write("toml_config", "channels", '[network]\nregion = "EU868"\nextra_channels_hz = [867100000, 867300000]\n')
write("toml_config", "unknown-key", '[network]\nregoin = "RU864"\n')
write("toml_config", "multiline", '[mqtt]\npassword = """a\nb"""\nusername = \'\'\'x\'\'\'\n')
write("toml_config", "utf8-string", '[time]\ntime_zone = "Европа"  # комментарий\n')

# The UDP endpoint: scripts of [op][length][bytes] steps (tests/fuzz/udp_endpoint.cpp), where
# op = action * 4 + client and, for action 1, bytes = [type, token hi, token lo, EUI index, body].
def step(action, client, body):
    return bytes([action * 4 + client, len(body)]) + body
rxpk = {"tmst": 1000, "chan": 2, "rfch": 0, "freq": 868.1, "stat": 1, "modu": "LORA", "datr": "SF7BW125",
        "codr": "4/5", "rssi": -57, "lsnr": 7.5, "size": len(phys[0]), "data": base64.b64encode(phys[0]).decode()}
push_body = json.dumps({"rxpk": [rxpk]}).encode()
pull = step(1, 1, bytes([2, 0x12, 0x34, 0]))
write("udp_endpoint", "push", step(1, 0, bytes([0, 0, 1, 0]) + push_body))
write("udp_endpoint", "push-unknown-gateway", step(1, 0, bytes([0, 0, 1, 1]) + push_body))
write("udp_endpoint", "pull-downlink-txack", pull + step(2, 1, bytes([0]) + phys[0]) +
      step(3, 1, bytes([0]) + b'{"txpk_ack":{"error":"NONE"}}'))
write("udp_endpoint", "pull-downlink-txack-error", pull + step(2, 1, bytes([2]) + phys[0]) +
      step(3, 1, bytes([2]) + b'{"txpk_ack":{"error":"TOO_LATE"}}'))
write("udp_endpoint", "downlink-no-path", step(2, 3, bytes([4]) + phys[0]))
write("udp_endpoint", "overload", step(4, 0, b"") + step(1, 0, bytes([0, 0, 2, 0]) + push_body) + step(4, 0, b""))
write("udp_endpoint", "raw", step(0, 2, bytes([2, 0, 0, 2, 0xAA, 0x55, 0x5A, 0, 0, 0, 0, 0])) + step(0, 2, b"\x01\x02"))
write("udp_endpoint", "txack-unmatched", step(3, 0, bytes([0]) + b'{"txpk_ack":{}}'))
