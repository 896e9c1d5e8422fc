#!/usr/bin/env bash
# End-to-end ping RTT, same run: the Linux kernel pinging jnetstack over a TAP device, and the
# kernel pinging another kernel namespace over a veth pair. Needs root. Everything it creates
# lives in its own network namespaces (jnsb-*), removed on exit whatever happens.
#   bench/ping-e2e.sh                 # 200 pings at 5 ms intervals to each, after 100 to warm up
#   COUNT=1000 bench/ping-e2e.sh
# BENCH_SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
bench_uses_namespaces=1
source "$(dirname "$0")/common.sh"
COUNT="${COUNT:-200}"
INTERVAL="${INTERVAL:-0.005}"
WARMUP="${WARMUP:-100}"
NS_TAP=jnsb-tap NS_A=jnsb-a NS_B=jnsb-b TAP=jnsb0
STACK_IP=10.77.0.2 KERNEL_IP=10.77.0.1 VETH_A=10.78.0.1 VETH_B=10.78.0.2

stack_pid=""
bench_cleanup_hook() {
  exec 3>&- 2>/dev/null || true            # closing the target's stdin stops it
  if [[ -n "$stack_pid" ]]; then bench_stop_pid "$stack_pid"; fi
}
bench_netns $NS_TAP $NS_A $NS_B

# 1. kernel -> jnetstack over TAP. The stack runs inside the namespace, so its TAP is created there.
mkfifo "$work/stdin"
ip netns exec $NS_TAP java -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -cp "$jar:$root/bench/target/lib/*" \
  org.jnetstack.bench.PingTarget $TAP $STACK_IP/24 < "$work/stdin" > "$work/stack.out" 2>&1 &
stack_pid=$!
exec 3>"$work/stdin"
for _ in $(seq 100); do grep -q '^up' "$work/stack.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^up' "$work/stack.out" || { echo "stack did not come up:" >&2; cat "$work/stack.out" >&2; exit 1; }
ip -n $NS_TAP addr add $KERNEL_IP/24 dev $TAP
ip -n $NS_TAP link set $TAP up

# 2. kernel -> kernel over veth, between two namespaces.
ip link add veth-jnsb-a netns $NS_A type veth peer name veth-jnsb-b netns $NS_B
ip -n $NS_A addr add $VETH_A/24 dev veth-jnsb-a
ip -n $NS_B addr add $VETH_B/24 dev veth-jnsb-b
ip -n $NS_A link set veth-jnsb-a up
ip -n $NS_B link set veth-jnsb-b up

run_ping() { # namespace target label
  ip netns exec "$1" ping -c "$WARMUP" -i "$INTERVAL" -q "$2" > /dev/null || true   # ARP, JIT
  local out
  out=$(ip netns exec "$1" ping -c "$COUNT" -i "$INTERVAL" -q "$2")
  echo "$3: $(echo "$out" | grep 'packets transmitted')"
  echo "$3: $(echo "$out" | grep '^rtt')"
}

echo "ping -c $COUNT -i $INTERVAL -q (after $WARMUP warm-up pings); $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
run_ping $NS_TAP $STACK_IP "kernel -> jnetstack (TAP)"
run_ping $NS_A $VETH_B "kernel -> kernel (veth)  "
exec 3>&-
wait "$stack_pid" || true
stack_pid=""
grep '^stack:' "$work/stack.out" || true
