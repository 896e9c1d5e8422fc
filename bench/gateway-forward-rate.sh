#!/usr/bin/env bash
# Connection setups per second through a host port forward into a namespace: jns gateway --netns
# --forward against slirp4netns --configure with add_hostfwd (its API socket), one sitting, the
# same client. A server in the namespace (10.0.2.100:7000) sends each connection one byte and
# closes it; a client on the host connects to 127.0.0.1:15300, reads the byte and EOF, closes,
# again, for SECONDS (default 5) with 1 and with 8 connections at a time. Root; needs python3 and
# slirp4netns. Builds the apps module first; BENCH_SKIP_BUILD=1 skips the build.
set -euo pipefail
bench_module=apps
bench_uses_namespaces=1
source "$(dirname "$0")/common.sh"
seconds=${SECONDS_EACH:-5}
rate="$root/bench/conn_rate.py"

gw_pid=""
srv_pid=""
bench_cleanup_hook() {
  for p in "$gw_pid" "$srv_pid"; do
    if [[ -n "$p" ]]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
}

for gw in jns slirp4netns; do
  bench_netns jnsrate
  if [[ $gw == jns ]]; then
    java -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -jar "$jar" gateway --netns /run/netns/jnsrate \
        --forward tcp:15300:7000 > "$work/gw.log" 2>&1 &
    gw_pid=$!
    for _ in $(seq 100); do grep -q "jns gateway: forward" "$work/gw.log" && break; sleep 0.2; done
  else
    slirp4netns --configure --mtu=1500 --api-socket "$work/slirp.sock" --netns-type=path /run/netns/jnsrate tap0 \
        > "$work/gw.log" 2>&1 &
    gw_pid=$!
    for _ in $(seq 100); do [[ -S "$work/slirp.sock" ]] && break; sleep 0.1; done
    python3 "$rate" hostfwd "$work/slirp.sock" 15300 7000 > /dev/null
  fi
  ip netns exec jnsrate python3 "$rate" serve 10.0.2.100 7000 > "$work/srv.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 50); do grep -q listening "$work/srv.log" && break; sleep 0.1; done
  python3 "$rate" connect 127.0.0.1 15300 3 8 > /dev/null || true     # warm-up (the JVM's JIT)
  for parallel in 1 8; do
    echo "$gw: $(python3 "$rate" connect 127.0.0.1 15300 "$seconds" "$parallel")"
  done
  kill "$srv_pid" "$gw_pid" 2>/dev/null || true
  wait "$srv_pid" "$gw_pid" 2>/dev/null || true
  srv_pid=""; gw_pid=""
done
# The client's own ceiling: the same server on the host's loopback, no gateway in between.
python3 "$rate" serve 127.0.0.1 15301 > "$work/srv.log" 2>&1 &
srv_pid=$!
for _ in $(seq 50); do grep -q listening "$work/srv.log" && break; sleep 0.1; done
for parallel in 1 8; do
  echo "no gateway (host loopback): $(python3 "$rate" connect 127.0.0.1 15301 "$seconds" "$parallel")"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
