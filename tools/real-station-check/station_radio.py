#!/usr/bin/env python3
"""The radio side of the real-station check (run by run.sh, not by ./tools/test).

Plays one OTAA device through a real LoRa Basics Station built as its `testsim`
variant: that station talks to its concentrator over a Unix socket ("lgwsim"),
and this script is the far end of that socket. It uses the station's own
`pysys/simutils.py` (LgwSimServer, the lgw packet layouts) from the station's
source tree, given with --station-tree; nothing of the station is copied here.

Sequence (each step must pass, else the exit status is 1):
  1. start the socket, start the station; the station opens the socket only once
     it has accepted uchetd's router_config and started its radio;
  2. a join-request on 868.9 MHz SF12 (RU864's join channel); the join-accept
     must come back from the station's radio at the uplink's time + 5 s (RX1)
     on 868.9 MHz or + 6 s (RX2) on 869.1 MHz, at 16 dBm; its MIC is checked
     with the AppKey and the session keys derived (LoRaWAN 1.0.x);
  3. uchetd counts the station's dntxed for it (/metrics);
  4. a data uplink on 864.1 MHz with a correct MIC; uchetd counts it;
  5. a class C downlink queued with uchetctl goes on air at once on RX2
     (869.1 MHz, DR0 = SF12) at 16 dBm, and is confirmed by dntxed.
Crypto is the `cryptography` package (Debian python3-cryptography): AES and
CMAC exactly as LoRaWAN 1.0.x specifies them; nothing is hand-rolled.
"""

import argparse
import asyncio
import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.request

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

JOIN_FREQ_MHZ = 868.9
RX2_FREQ_HZ = 869_100_000
UPLINK_FREQ_MHZ = 864.1
EXPECTED_POWER_DBM = 16
SF12 = 0x40  # lgw DR_LORA_SF12


def log(msg):
  print(time.strftime('%H:%M:%S'), msg, flush=True)


def aes_encrypt(key, block):
  enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
  return enc.update(block) + enc.finalize()


def cmac4(key, data):
  c = CMAC(algorithms.AES(key))
  c.update(data)
  return c.finalize()[:4]


def join_request(app_key, join_eui, dev_eui, dev_nonce):
  body = bytes([0x00]) + join_eui[::-1] + dev_eui[::-1] + struct.pack('<H', dev_nonce)
  return body + cmac4(app_key, body)


def open_join_accept(app_key, phy, dev_nonce):
  """Decrypts a 1.0.x join-accept, checks its MIC, returns (dev_addr, nwk_s_key, app_s_key)."""
  clear = aes_encrypt(app_key, phy[1:])  # the device encrypts to decrypt (LoRaWAN 6.2.5)
  mic = cmac4(app_key, phy[:1] + clear[:-4])
  if mic != clear[-4:]:
    raise ValueError('join-accept MIC does not verify with the AppKey')
  app_nonce, net_id, dev_addr = clear[0:3], clear[3:6], struct.unpack('<I', clear[6:10])[0]
  pad = bytes(7)
  nonce = app_nonce + net_id + struct.pack('<H', dev_nonce) + pad
  return dev_addr, aes_encrypt(app_key, b'\x01' + nonce), aes_encrypt(app_key, b'\x02' + nonce)


def data_uplink(nwk_s_key, app_s_key, dev_addr, fcnt, fport, payload):
  block_a = lambda i: struct.pack('<BIBIIBB', 0x01, 0, 0, dev_addr, fcnt, 0, i)
  stream = b''.join(aes_encrypt(app_s_key, block_a(i + 1)) for i in range((len(payload) + 15) // 16))
  enc = bytes(p ^ s for p, s in zip(payload, stream))
  msg = struct.pack('<BIBH', 0x40, dev_addr, 0, fcnt & 0xFFFF) + bytes([fport]) + enc
  b0 = struct.pack('<BIBIIBB', 0x49, 0, 0, dev_addr, fcnt, 0, len(msg))
  return msg + cmac4(nwk_s_key, b0 + msg)


def metric(url, name, labels=''):
  text = urllib.request.urlopen(url, timeout=5).read().decode()
  total = 0.0
  for line in text.splitlines():
    if line.startswith(name + labels) or (not labels and re.match(re.escape(name) + r'(\{| )', line)):
      total += float(line.rsplit(' ', 1)[1])
  return total


async def wait_for(what, predicate, timeout):
  deadline = time.monotonic() + timeout
  while time.monotonic() < deadline:
    if predicate():
      return True
    await asyncio.sleep(0.2)
  log(f'FAIL: {what} within {timeout} s')
  return False


async def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('--station-tree', required=True)
  ap.add_argument('--station-bin', required=True)
  ap.add_argument('--station-home', required=True)
  ap.add_argument('--station-log', required=True)
  ap.add_argument('--spidev', required=True)
  ap.add_argument('--uchetctl', required=True)
  ap.add_argument('--config', required=True)
  ap.add_argument('--metrics-url', required=True)
  ap.add_argument('--dev-eui', required=True)
  ap.add_argument('--join-eui', required=True)
  ap.add_argument('--app-key', required=True)
  ap.add_argument('--report', required=True, help='JSON file the results are written to')
  args = ap.parse_args()

  sys.path.insert(0, os.path.join(args.station_tree, 'pysys'))
  import simutils as su  # the station's own lgwsim peer, BSD-3, read from its tree

  txs = asyncio.Queue()
  report = {'steps': {}}

  class Radio(su.LgwSimServer):
    async def on_connected(self, lgwsim):
      log(f'lgwsim: station radio connected (unit {lgwsim.unitIdx})')

    async def on_tx(self, lgwsim, pkt):
      now = lgwsim.xticks()
      log(f'lgwsim TX: freq={pkt["freq_hz"]} count_us={pkt["count_us"]} power={pkt["rf_power"]} '
          f'dr=0x{pkt["datarate"]:x} bw={pkt["bandwidth"]} mode={pkt["tx_mode"]} '
          f'size={pkt["size"]} (handed over {(pkt["count_us"] - (now & 0xFFFFFFFF)) / 1000:.0f} ms ahead)')
      await txs.put(pkt)

    async def on_close(self):
      log('lgwsim: station radio closed')

  radio = Radio(args.spidev)
  await radio.start_server()
  station_log = open(args.station_log, 'w')
  station = subprocess.Popen([args.station_bin, '--home', args.station_home, '--temp', args.station_home],
                             stdout=station_log, stderr=subprocess.STDOUT)
  ok = True
  try:
    # 1. router_config accepted: the station starts its radio only after it.
    if not await wait_for('station radio connected (router_config accepted)', lambda: 0 in radio.units, 60):
      return 1
    report['steps']['router_config'] = 'ok'
    await asyncio.sleep(2)  # let the station settle its first time sync with the radio
    unit = radio.units[0]
    app_key = bytes.fromhex(args.app_key)

    # 2. join
    dev_nonce = int(time.time()) & 0xFFFF
    jr = join_request(app_key, bytes.fromhex(args.join_eui), bytes.fromhex(args.dev_eui), dev_nonce)
    rx_ticks = unit.xticks()
    log(f'join-request DevNonce={dev_nonce} on {JOIN_FREQ_MHZ} MHz SF12 at xticks {rx_ticks}')
    dntxed_before = metric(args.metrics_url, 'uchet_basic_station_downlinks_total', '{outcome="dntxed"}')
    await unit.send_rx(rps=(12, 125), freq=JOIN_FREQ_MHZ, rxtime=rx_ticks, frame=jr)
    try:
      tx = await asyncio.wait_for(txs.get(), 15)
    except asyncio.TimeoutError:
      log('FAIL: no join-accept transmitted by the station within 15 s')
      return 1
    delay_us = (tx['count_us'] - rx_ticks) & 0xFFFFFFFF
    window = {(868_900_000, 5_000_000): 'RX1', (RX2_FREQ_HZ, 6_000_000): 'RX2'}.get((tx['freq_hz'], delay_us))
    report['steps']['join_accept_tx'] = {'freq_hz': tx['freq_hz'], 'delay_us': delay_us, 'power_dbm': tx['rf_power'],
                                        'datarate': tx['datarate'], 'window': window}
    if window is None or tx['rf_power'] != EXPECTED_POWER_DBM or tx['datarate'] != SF12:
      log(f'FAIL: join-accept at {tx["freq_hz"]} Hz, {delay_us} us after the uplink, {tx["rf_power"]} dBm')
      ok = False
    dev_addr, nwk_s_key, app_s_key = open_join_accept(app_key, bytes(tx['payload']), dev_nonce)
    log(f'join-accept in {window}: DevAddr {dev_addr:08X}, MIC verified with the AppKey')

    # 3. dntxed reached uchetd (the station sends it once the TX is over: ~1.5 s of SF12 after its time)
    ok &= await wait_for('uchetd counted the dntxed of the join-accept',
                         lambda: metric(args.metrics_url, 'uchet_basic_station_downlinks_total',
                                        '{outcome="dntxed"}') > dntxed_before, 20)
    report['steps']['join_accept_dntxed'] = ok

    # 4. a data uplink on 864.1 MHz
    await asyncio.sleep(3)
    uplinks_before = metric(args.metrics_url, 'uchet_basic_station_uplinks_total')
    up = data_uplink(nwk_s_key, app_s_key, dev_addr, 0, 2, b'\x01\x02\x03\x04')
    log(f'data uplink FCnt 0 on {UPLINK_FREQ_MHZ} MHz SF7: {up.hex()}')
    await unit.send_rx(rps=(7, 125), freq=UPLINK_FREQ_MHZ, frame=up)
    up_ok = await wait_for('uchetd counted the data uplink',
                           lambda: metric(args.metrics_url, 'uchet_basic_station_uplinks_total') > uplinks_before, 10)
    report['steps']['data_uplink'] = up_ok
    ok &= up_ok
    await asyncio.sleep(4)  # past RX1/RX2 of that uplink: any class A answer has gone out
    while not txs.empty():
      tx = txs.get_nowait()
      log(f'class A answer to the uplink: {tx["freq_hz"]} Hz, {tx["rf_power"]} dBm')
      report['steps'].setdefault('class_a_answers', []).append({'freq_hz': tx['freq_hz'], 'power_dbm': tx['rf_power']})

    # 5. class C downlink
    dntxed_before = metric(args.metrics_url, 'uchet_basic_station_downlinks_total', '{outcome="dntxed"}')
    out = subprocess.run([args.uchetctl, '--config', args.config, 'device', 'enqueue', args.dev_eui,
                          '--fport', '3', '--hex', 'C0FFEE'], capture_output=True, text=True)
    log(f'uchetctl device enqueue: rc={out.returncode} {out.stdout.strip()} {out.stderr.strip()}')
    try:
      tx = await asyncio.wait_for(txs.get(), 15)
      report['steps']['class_c_tx'] = {'freq_hz': tx['freq_hz'], 'power_dbm': tx['rf_power'], 'datarate': tx['datarate']}
      if tx['freq_hz'] != RX2_FREQ_HZ or tx['rf_power'] != EXPECTED_POWER_DBM or tx['datarate'] != SF12:
        log('FAIL: class C downlink not on RX2 869.1 MHz SF12 at 16 dBm')
        ok = False
      c_ok = await wait_for('uchetd counted the dntxed of the class C downlink',
                            lambda: metric(args.metrics_url, 'uchet_basic_station_downlinks_total',
                                           '{outcome="dntxed"}') > dntxed_before, 20)
      report['steps']['class_c_dntxed'] = c_ok
      ok &= c_ok
    except asyncio.TimeoutError:
      log('FAIL: no class C downlink transmitted within 15 s')
      ok = False

    # timesync: the station asks once it has its PPS; give it the time it needs
    await asyncio.sleep(2)
    return 0 if ok else 1
  finally:
    station.terminate()
    try:
      station.wait(5)
    except subprocess.TimeoutExpired:
      station.kill()
    station_log.close()
    radio.close()
    with open(args.report, 'w') as f:
      json.dump(report, f, indent=2)


if __name__ == '__main__':
  sys.exit(asyncio.run(main()))
