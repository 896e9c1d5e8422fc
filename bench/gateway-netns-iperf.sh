#!/usr/bin/env bash
# jns gateway --netns against slirp4netns --configure and pasta --config-net, one sitting: an iperf3 server on the host's
# 127.0.0.1, the client in a fresh namespace (10.0.2.2 is the host's loopback through the gateway),
# 5 s each way (-R: host -> namespace), MTU 1500 and 65520. Root; needs iperf3, slirp4netns and
# pasta (Debian: passt). pasta copies the host's addresses into the namespace and maps its default
# gateway's address to the host's loopback, so its client connects to that address instead.
# Builds the apps module first; BENCH_SKIP_BUILD=1 skips the build. JNS_JAVA_OPTS adds options to the
# gateway's JVM (e.g. -XX:StartFlightRecording=filename=gw.jfr,settings=profile, or
# -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit for perf);
# JNS_GATEWAY_OPTS adds options to jns gateway (e.g. --no-offload, --no-transmit-thread).
set -euo pipefail
bench_module=apps
bench_uses_namespaces=1
source "$(dirname "$0")/common.sh"
for tool in iperf3 slirp4netns pasta; do
  command -v "$tool" >/dev/null || { echo "$bench_name: needs $tool (Debian: apt-get install iperf3 slirp4netns passt)" >&2; exit 1; }
done

ns=${BENCH_NETNS:-jnsbench}   # another name and port when two runs share the machine
port=${BENCH_PORT:-15201}
gw_pid=""
bench_cleanup_hook() {
  if [[ -n "$gw_pid" ]]; then kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; fi
  if [[ -f "$work/iperf.pid" ]]; then kill "$(cat "$work/iperf.pid")" 2>/dev/null || true; fi
}

iperf3 -s -B 127.0.0.1 -p "$port" -D --pidfile "$work/iperf.pid"
sleep 1
for mtu in 1500 65520; do
  for gw in jns slirp pasta; do
    bench_netns "$ns"
    if [[ $gw == jns ]]; then
      # shellcheck disable=SC2086
      java -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED ${JNS_JAVA_OPTS:-} -jar "$jar" gateway --netns /run/netns/$ns --mtu $mtu ${JNS_GATEWAY_OPTS:-} > "$work/gw.log" 2>&1 &
      gw_pid=$!
      # up once it has configured the namespace (a loaded machine may take more than a few seconds)
      for _ in $(seq 60); do grep -q 'serving network namespace' "$work/gw.log" && break; sleep 0.5; done; sleep 1
    elif [[ $gw == slirp ]]; then
      slirp4netns --configure --mtu=$mtu --netns-type=path /run/netns/$ns tap0 > "$work/gw.log" 2>&1 &
      gw_pid=$!; sleep 2
    else
      # -f: stay in the foreground (killable by pid); --runas 0: as root it would switch to nobody
      # and then could not enter the namespace
      pasta --runas 0 -f --config-net --mtu $mtu --netns /run/netns/$ns > "$work/gw.log" 2>&1 &
      gw_pid=$!; sleep 2
    fi
    host=10.0.2.2
    if [[ $gw == pasta ]]; then host=$(ip netns exec "$ns" ip route show default | awk '{print $3}'); fi
    up=$(ip netns exec "$ns" iperf3 -c "$host" -p "$port" -t 5 -f m | awk '/receiver/{print $7}') || true
    down=$(ip netns exec "$ns" iperf3 -c "$host" -p "$port" -t 5 -f m -R | awk '/receiver/{print $7}') || true
    echo "mtu=$mtu gw=$gw ns->host=${up}Mbit/s host->ns=${down}Mbit/s"
    if [[ -z "$up" || -z "$down" ]]; then echo "$gw gateway log:" >&2; tail -20 "$work/gw.log" >&2; fi
    kill "$gw_pid" 2>/dev/null || true
    wait "$gw_pid" 2>/dev/null || true
    gw_pid=""
  done
done
