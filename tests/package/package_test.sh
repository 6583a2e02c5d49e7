#!/usr/bin/env bash
# The Debian package, end to end (ctest "package: deb", label "package"):
#   1. tools/package --no-build makes the .deb from the build directory;
#   2. its contents, control fields and conffiles are what README "Production install" promises;
#   3. lintian reports no error (warnings are listed and explained in docs/packaging.md);
#   4. systemd-analyze verify accepts uchetd.service;
#   5. the packaged uchetd, unpacked into a scratch root and run with the packaged configuration
#      (its paths pointed into the scratch root), starts, answers /health and stops on SIGTERM.
#
#   package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
build="$2"
scratch="$(mktemp -d)"
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The package.
start=$(date +%s)
deb="$(BUILD_DIR="$build" "$src/tools/package" --no-build)"
echo "package: $deb ($(( $(date +%s) - start )) s)"
[ -f "$deb" ] || fail "tools/package made no .deb"

# 2. Contents and control fields.
dpkg-deb -c "$deb" >"$scratch/contents"
for path in ./usr/bin/uchetd ./usr/bin/uchetctl ./etc/uchet/uchet.toml ./lib/systemd/system/uchetd.service \
            ./usr/lib/sysusers.d/uchet.conf ./usr/share/doc/uchet/copyright \
            ./usr/share/doc/uchet/changelog.Debian.gz ./usr/share/doc/uchet/README.md; do
  grep -q " $path\$" "$scratch/contents" || fail "$path missing from the package"
done
grep -q '/usr/local' "$scratch/contents" && fail "the package installs into /usr/local"
depends="$(dpkg-deb -f "$deb" Depends)"
for library in libsqlite3-0 libssl3 libmosquitto1 libstdc++6 systemd; do
  [[ "$depends" == *"$library"* ]] || fail "Depends lacks $library: $depends"
done
[ "$(dpkg-deb -f "$deb" Suggests)" = "mosquitto" ] || fail "Suggests is not mosquitto"
dpkg-deb -e "$deb" "$scratch/control"
grep -qx '/etc/uchet/uchet.toml' "$scratch/control/conffiles" || fail "/etc/uchet/uchet.toml is not a conffile"

# 3. lintian: no errors. Warnings are printed for the log.
lintian --tag-display-limit 0 "$deb" >"$scratch/lintian" 2>&1 || true
cat "$scratch/lintian"
if grep -q '^E: ' "$scratch/lintian"; then fail "lintian reports errors"; fi

# 4. The unit. systemd-analyze verify checks that ExecStart's binary exists, so it reads a copy
#    pointing at the unpacked uchetd; any remark (an option it does not know, a bad value) fails.
dpkg -x "$deb" "$scratch/root"
unit="$scratch/root/lib/systemd/system/uchetd.service"
grep -qx 'User=uchet' "$unit" || fail "the unit does not run as uchet"
grep -qx 'StateDirectory=uchet' "$unit" || fail "the unit has no StateDirectory"
mkdir -p "$scratch/unit"
sed "s|/usr/bin/uchetd|$scratch/root/usr/bin/uchetd|g" "$unit" >"$scratch/unit/uchetd.service"
verify_output="$(systemd-analyze verify "$scratch/unit/uchetd.service" 2>&1)" ||
  fail "systemd-analyze verify: $verify_output"
[ -z "$verify_output" ] || fail "systemd-analyze verify: $verify_output"
echo "systemd-analyze verify: no remarks"

# 5. The packaged daemon with the packaged configuration, paths pointed into the scratch root.
config="$scratch/uchet.toml"
uchetd="$scratch/root/usr/bin/uchetd"
"$uchetd" --config "$scratch/root/etc/uchet/uchet.toml" --check-config >/dev/null ||
  fail "the packaged configuration is refused"
grep -q '^path = "/var/lib/uchet/uchet.db"$' "$scratch/root/etc/uchet/uchet.toml" ||
  fail "the packaged configuration does not keep the database in /var/lib/uchet"
mkdir -p "$scratch/state"
health=""
for attempt in 1 2 3 4 5; do
  udp_port=$(( 20000 + RANDOM % 20000 ))
  http_port=$(( 40000 + RANDOM % 20000 ))
  sed -e "s|^path = \"/var/lib/uchet/uchet.db\"|path = \"$scratch/state/uchet.db\"|" \
      -e "s|^bind = \"0.0.0.0:1700\"|bind = \"127.0.0.1:$udp_port\"|" \
      -e "s|^bind = \"127.0.0.1:8080\"|bind = \"127.0.0.1:$http_port\"|" \
      -e "s|^server = \"127.0.0.1:1883\"|server = \"127.0.0.1:1\"|" \
      "$scratch/root/etc/uchet/uchet.toml" >"$config"
  "$uchetd" --config "$config" >"$scratch/uchetd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 100); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    if health="$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$http_port" &&
                 printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3 &&
                 cat <&3)"; then
      break
    fi
    sleep 0.1
  done
  [ -n "$health" ] && break
  kill -KILL "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
  cat "$scratch/uchetd.log"  # a port taken by another test: try others
done
[ -n "$health" ] || fail "the packaged uchetd never answered /health"
[[ "$health" == "HTTP/1.1 200"* && "$health" == *'"alive":true'* ]] || fail "/health answered: $health"
[ -f "$scratch/state/uchet.db" ] || fail "the database is not where the configuration says"
kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
daemon_pid=""
cat "$scratch/uchetd.log"
[ "$status" -eq 0 ] || fail "uchetd exited with $status on SIGTERM"
grep -q 'signal 15 received, stopping' "$scratch/uchetd.log" || fail "uchetd did not log the SIGTERM"
echo "package test passed"
