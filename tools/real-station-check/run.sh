#!/bin/bash
# Runs a real LoRa Basics Station 2.0.6 against a real uchetd (RU864, TLS, token) and checks
# the join, a data uplink, a class C downlink, dntxed and timesync. See README.md here.
#
#   tools/real-station-check/run.sh BASICSTATION_GIT LORA_GATEWAY_GIT [WORKDIR]
#
# BASICSTATION_GIT: a clone (or bare mirror) of lorabasics/basicstation with tag v2.0.6;
# LORA_GATEWAY_GIT: one of Lora-net/lora_gateway with tag v5.0.1. Nothing is fetched from the
# internet: mbedTLS is Debian's libmbedtls-dev. uchetd/uchetctl come from $UCHET_BIN (default:
# this checkout's build/tools). Not part of ./tools/test: CI has neither source.
set -euo pipefail

station_git=${1:?BASICSTATION_GIT}
lgw_git=${2:?LORA_GATEWAY_GIT}
work=${3:-/tmp/uchet-real-station}
here=$(cd "$(dirname "$0")" && pwd)
bin=${UCHET_BIN:-$here/../../build/tools}
mkdir -p "$work"
work=$(cd "$work" && pwd)

for pkg in libmbedtls-dev python3-cryptography mosquitto openssl curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || { echo "missing Debian package $pkg (apt-get install $pkg)"; exit 2; }
done

# --- 1. the station, variant testsim (lgwsim radio), from local sources only
st=$work/basicstation
if [[ ! -x $st/build-linux-testsim/bin/station ]]; then
  [[ -d $st ]] || git clone -q -b v2.0.6 "$station_git" "$st"
  # deps/lgw/prep.sh clones GitHub only when git-repo is missing: give it the local one
  [[ -d $st/deps/lgw/git-repo ]] || git clone -q "$lgw_git" "$st/deps/lgw/git-repo"
  # deps/mbedtls: its makefile copies platform-linux/{include,library}; fill them from Debian
  # (2.28.3; the station pins 2.28.0) so prep.sh (a GitHub clone and a build) is never run.
  m=$st/deps/mbedtls/platform-linux
  if [[ ! -d $m ]]; then
    mkdir -p "$m/include" "$m/library"
    printf 'lib:\n\t@true\nclean:\n\t@true\n' >"$m/Makefile"
    touch -d '-1 min' "$m/Makefile" # older than the libraries: make must not "rebuild" them
    cp -r /usr/include/mbedtls "$m/include/"
    cp /usr/lib/"$(gcc -dumpmachine)"/libmbed{tls,x509,crypto}.a "$m/library/"
  fi
  (cd "$st" && nice make platform=linux variant=testsim -j2 >"$work/station-build.log" 2>&1) ||
    { tail -30 "$work/station-build.log"; exit 1; }
fi
station_bin=$st/build-linux-testsim/bin/station

# --- 2. certificates: a CA and a server certificate for a DNS name (mbedTLS ignores IP SANs)
pki=$work/pki
if [[ ! -f $pki/lns.pem ]]; then
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout ca.key -out ca.pem -days 30 -subj "/CN=uchet real-station check CA" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout lns.key -out lns.csr -subj "/CN=localhost" 2>/dev/null
    echo "subjectAltName=DNS:localhost" >lns.ext
    openssl x509 -req -in lns.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -out lns.pem -days 30 -extfile lns.ext 2>/dev/null
  )
fi

# --- 3. uchetd on free ports, its own mosquitto, a fresh database
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lns_port=$(free_port) http_port=$(free_port) mqtt_port=$(free_port) udp_port=$(free_port)
run=$work/run
rm -rf "$run" && mkdir -p "$run/station"
cat >"$run/uchet.toml" <<EOF
[storage]
path = "$run/uchet.db"
[gateway_bridge]
bind = "127.0.0.1:$udp_port"
[basic_station]
bind = "127.0.0.1:$lns_port"
tls_cert = "$pki/lns.pem"
tls_key = "$pki/lns.key"
public_host = "localhost"
[network]
region = "RU864"
[mqtt]
server = "127.0.0.1:$mqtt_port"
[http]
bind = "127.0.0.1:$http_port"
[log]
level = "debug"
EOF

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
mosquitto -p "$mqtt_port" >"$run/mosquitto.log" 2>&1 &
pids+=($!)
"$bin/uchetd" --config "$run/uchet.toml" >"$run/uchetd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$http_port/metrics" >/dev/null && break
  sleep 0.2
done

gw=0016C001FF1E0B51 # the station's routerid below, written as an EUI
dev=0011223344556677 join=70B3D57ED0000000 key=000102030405060708090A0B0C0D0E0F
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$run/gw.token"
ctl() { "$bin/uchetctl" --config "$run/uchet.toml" "$@"; }
ctl application add water >/dev/null
ctl gateway add $gw --name real-station --basic-station --token-file "$run/gw.token" >/dev/null
ctl device add $dev --app water --join-eui $join --app-key $key --class C >/dev/null

# --- 4. the station's home: station.conf, tc.uri, tc.trust, tc.key
cat >"$run/station/station.conf" <<EOF
{
  "SX1301_conf": {
    "lorawan_public": true,
    "clksrc": 1,
    "device": "$run/spidev",
    "pps": true,
    "radio_0": { "type": "SX1257", "rssi_offset": -166.0, "tx_enable": true, "antenna_gain": 0 },
    "radio_1": { "type": "SX1257", "rssi_offset": -166.0, "tx_enable": false }
  },
  "station_conf": {
    "routerid": "16:c001:ff1e:b51",
    "log_file": "stderr",
    "log_level": "DEBUG"
  }
}
EOF
echo "wss://localhost:$lns_port" >"$run/station/tc.uri"
cp "$pki/ca.pem" "$run/station/tc.trust"
printf 'Authorization: Bearer %s\r\n' "$(cat "$run/gw.token")" >"$run/station/tc.key"

# --- 5. the radio side drives the station; then the log lines that matter
rc=0
python3 "$here/station_radio.py" --station-tree "$st" --station-bin "$station_bin" \
  --station-home "$run/station" --station-log "$run/station.log" --spidev "$run/spidev" \
  --uchetctl "$bin/uchetctl" --config "$run/uchet.toml" --metrics-url "http://127.0.0.1:$http_port/metrics" \
  --dev-eui $dev --join-eui $join --app-key $key --report "$run/report.json" || rc=$?

echo "--- station log (what matters)"
grep -E "Configuring for region|Unrecognized region|before 'router_config'|router_config|Connected to MUXS|TX .*Freq|dntxed|Timesync|Time sync|DC limit|duty|too late|dropped|ERROR|CRITICAL" \
  "$run/station.log" | grep -v 'XDEBUG' | head -60 || true
for must in 'Configuring for region: US915' 'Timesync with LNS: gpsOffset='; do
  grep -q "$must" "$run/station.log" || { echo "FAIL: the station never logged '$must'"; rc=1; }
done
# Anything the station's protocol, connection or time-sync layers warn about is a finding,
# even when the frame went out (the lgwsim's own notes, [SIM:...], are about the simulator).
if grep -E '\[(S2E|TCE|SYN|RAL):(WARN|ERRO|CRIT)\]' "$run/station.log"; then
  echo "FAIL: the station warned (lines above)"
  rc=1
fi
echo "--- uchetd: Basics Station metrics"
curl -sf "http://127.0.0.1:$http_port/metrics" | grep -E '^uchet_basic_station_(downlinks|uplinks|connections)_total' || true
echo "--- result: $([[ $rc == 0 ]] && echo PASS || echo FAIL) (logs and report.json in $run)"
exit $rc
