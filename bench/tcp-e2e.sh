#!/usr/bin/env bash
# End-to-end TCP bulk throughput, same run: the Linux kernel and jnetstack over a TAP device
# (kernel -> stack into the stack's discard service, stack -> kernel into a python3 socket), and
# kernel -> kernel over a veth pair (with the kernel's default offloads, and, when ethtool is
# installed, with TSO/GSO/GRO and checksum offload off, which is what a TAP without
# IFF_VNET_HDR gives). Needs root. Everything lives in network namespaces (jnsb-*), removed on
# exit whatever happens.
#   bench/tcp-e2e.sh                     # 3 rounds of 200 MB each way
#   BYTES=1000000000 ROUNDS=5 bench/tcp-e2e.sh
#   BUFFERS=4194304 bench/tcp-e2e.sh     # the stack's send/receive buffers (default TcpConfig: 256 KiB)
#   MTU=9000 bench/tcp-e2e.sh            # the TAP's and veth's MTU (default 1500)
#   TAP_OFFLOAD=on bench/tcp-e2e.sh      # the stack's TAP only with offloads (on), without (off), or both (default)
#   DIRECTION=out bench/tcp-e2e.sh       # TAP rounds only stack -> kernel (out), kernel -> stack (in), or both (default)
#   RPS_CPUS=2 bench/tcp-e2e.sh          # steer the kernel's receive work for the TAP's frames to these CPUs (hex mask)
#   VETH=0 bench/tcp-e2e.sh              # skip the kernel -> kernel veth rounds
#   JNS_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/s.jfr" bench/tcp-e2e.sh   # extra JVM options for the stack
# BENCH_SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
BYTES="${BYTES:-200000000}"
ROUNDS="${ROUNDS:-3}"
MTU="${MTU:-1500}"
BUFFERS="${BUFFERS:-default}"
TAP_OFFLOAD="${TAP_OFFLOAD:-both}"
DIRECTION="${DIRECTION:-both}"
VETH="${VETH:-1}"
NS_TAP=jnsb-tap NS_A=jnsb-a NS_B=jnsb-b TAP=jnsb0
STACK_IP=10.77.0.2 KERNEL_IP=10.77.0.1 VETH_A=10.78.0.1 VETH_B=10.78.0.2
peer="$root/bench/tcp_peer.py"

if [[ $EUID -ne 0 ]]; then echo "tcp-e2e: needs root (network namespaces, TAP)" >&2; exit 1; fi
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -ntp -q -o -pl bench -am package -DskipTests)
fi
jar=$(ls "$root"/bench/target/jnetstack-bench-*.jar | grep -v -- '-sources' | head -1)

work=$(mktemp -d)
stack_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true            # closing the target's stdin stops it
  if [[ -n "$stack_pid" ]]; then
    for _ in $(seq 50); do kill -0 "$stack_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$stack_pid" 2>/dev/null || true
  fi
  for ns in $NS_TAP $NS_A $NS_B; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

for ns in $NS_TAP $NS_A $NS_B; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; ip -n "$ns" link set lo up; done

ip link add veth-jnsb-a netns $NS_A type veth peer name veth-jnsb-b netns $NS_B
ip -n $NS_A link set veth-jnsb-a mtu "$MTU"
ip -n $NS_B link set veth-jnsb-b mtu "$MTU"
ip -n $NS_A addr add $VETH_A/24 dev veth-jnsb-a
ip -n $NS_B addr add $VETH_B/24 dev veth-jnsb-b
ip -n $NS_A link set veth-jnsb-a up
ip -n $NS_B link set veth-jnsb-b up

# Starts the stack (TcpTapTarget) in its namespace on a fresh TAP; $1 = offload | no-offload.
start_stack() {
  ip netns del $NS_TAP 2>/dev/null || true; ip netns add $NS_TAP; ip -n $NS_TAP link set lo up
  rm -f "$work/stdin"; mkfifo "$work/stdin"
  # shellcheck disable=SC2086  # JNS_JAVA_OPTS is split into options on purpose
  ip netns exec $NS_TAP java ${JNS_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp "$jar:$root/bench/target/lib/*" \
    org.jnetstack.bench.tcp.TcpTapTarget $TAP $STACK_IP/24 $BUFFERS "$1" < "$work/stdin" > "$work/stack.out" 2>&1 &
  stack_pid=$!
  exec 3>"$work/stdin"
  for _ in $(seq 100); do grep -q '^up' "$work/stack.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^up' "$work/stack.out" || { echo "stack did not come up:" >&2; cat "$work/stack.out" >&2; exit 1; }
  ip -n $NS_TAP link set $TAP mtu "$MTU"
  ip -n $NS_TAP addr add $KERNEL_IP/24 dev $TAP
  ip -n $NS_TAP link set $TAP up
  if [[ -n "${RPS_CPUS:-}" ]]; then
    ip netns exec $NS_TAP sh -c "echo $RPS_CPUS > /sys/class/net/$TAP/queues/rx-0/rps_cpus"
  fi
  echo "stack $(grep '^up' "$work/stack.out")"
}
stop_stack() {
  exec 3>&-
  wait "$stack_pid" || true
  stack_pid=""
  grep '^stack:' "$work/stack.out" || true
}

# Waits for the stack to print its next line starting with $1; prints it.
stack_line() {
  local before=$1 word=$2
  for _ in $(seq 6000); do
    local n; n=$(grep -c "^$word" "$work/stack.out" || true)
    if (( n > before )); then grep "^$word" "$work/stack.out" | tail -1; return; fi
    sleep 0.1
  done
  echo "timeout waiting for the stack" >&2; cat "$work/stack.out" >&2; exit 1
}

kernel_to_stack() {
  local before; before=$(grep -c '^discard' "$work/stack.out" || true)
  ip netns exec $NS_TAP python3 "$peer" send $STACK_IP 9 "$BYTES" > /dev/null
  echo "kernel -> jnetstack (TAP): $(stack_line "$before" discard)"
}
stack_to_kernel() {
  local before; before=$(grep -c '^sent' "$work/stack.out" || true)
  ip netns exec $NS_TAP python3 "$peer" sink $KERNEL_IP 5001 > "$work/sink.out" &
  local sink=$!
  for _ in $(seq 300); do grep -q listening "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
  echo "send $KERNEL_IP 5001 $BYTES" >&3
  wait $sink
  echo "jnetstack -> kernel (TAP): $(grep ^received "$work/sink.out")   [stack: $(stack_line "$before" sent)]"
}
kernel_to_kernel() {
  ip netns exec $NS_B python3 "$peer" sink $VETH_B 5001 > "$work/sink.out" &
  local sink=$!
  for _ in $(seq 300); do grep -q listening "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
  ip netns exec $NS_A python3 "$peer" send $VETH_B 5001 "$BYTES" > /dev/null
  wait $sink
  echo "kernel -> kernel ($1): $(grep ^received "$work/sink.out")"
}
offloads() { # on|off
  ip netns exec $NS_A ethtool -K veth-jnsb-a tso "$1" gso "$1" gro "$1" tx "$1" rx "$1" > /dev/null 2>&1 || true
  ip netns exec $NS_B ethtool -K veth-jnsb-b tso "$1" gso "$1" gro "$1" tx "$1" rx "$1" > /dev/null 2>&1 || true
}

echo "$BYTES bytes each, MTU $MTU, stack buffers ${BUFFERS:-default}; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), $(python3 --version)"
echo "columns: direction: bytes seconds Gbit/s (measured by the receiver, from accept to EOF)"
tap_phase() { # offload | no-offload
  start_stack "$1"
  # Warm-up (ARP, JIT, slow start): one smaller transfer each way, not reported.
  BYTES_SAVED=$BYTES; BYTES=50000000
  kernel_to_stack > /dev/null; stack_to_kernel > /dev/null
  BYTES=$BYTES_SAVED
  for r in $(seq "$ROUNDS"); do
    echo "round $r ($1)"
    [[ $DIRECTION == out ]] || kernel_to_stack
    [[ $DIRECTION == in ]] || stack_to_kernel
  done
  stop_stack
}
[[ $TAP_OFFLOAD == on || $TAP_OFFLOAD == both ]] && tap_phase offload
[[ $TAP_OFFLOAD == off || $TAP_OFFLOAD == both ]] && tap_phase no-offload
for r in $(seq "$ROUNDS"); do
  [[ $VETH == 1 ]] || break
  echo "round $r (veth)"
  kernel_to_kernel "veth"
  if command -v ethtool > /dev/null; then
    offloads off; kernel_to_kernel "veth, offloads off"; offloads on
  fi
done
