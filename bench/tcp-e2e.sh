#!/usr/bin/env bash
# End-to-end TCP bulk throughput, same run: the Linux kernel and jnetstack over a TAP device
# (kernel -> stack into the stack's discard service, stack -> kernel into a python3 socket), and
# kernel -> kernel over a veth pair (with the kernel's default offloads, and, when ethtool is
# installed, with TSO/GSO/GRO and checksum offload off, which is what a TAP without
# IFF_VNET_HDR gives). Two references in the same run, to tell the stack's cost from the TAP's:
# kernel -> kernel through bench/relay/tap-relay (a C program relaying frames between two TAPs, one read and one
# write per frame: the bare per-frame TAP path), and lwIP 2.1.3 (bench/lwip/tcpbench, tuned by
# bench/lwip/lwipopts.h) on a TAP exactly like the stack's, both directions. Needs root.
# Everything lives in network namespaces (jnsb-*), removed on exit whatever happens.
#   bench/tcp-e2e.sh                     # 3 rounds of 200 MB each way
#   BYTES=1000000000 ROUNDS=5 bench/tcp-e2e.sh
#   BUFFERS=4194304 bench/tcp-e2e.sh     # the stack's send/receive buffers (default TcpConfig: 256 KiB)
#   MTU=9000 bench/tcp-e2e.sh            # the TAP's and veth's MTU (default 1500)
#   TAP_OFFLOAD=on bench/tcp-e2e.sh      # the stack's TAP only with offloads (on), without (off), or both (default)
#   DIRECTION=out bench/tcp-e2e.sh       # TAP rounds only stack -> kernel (out), kernel -> stack (in), or both (default)
#   RPS_CPUS=2 bench/tcp-e2e.sh          # steer the kernel's receive work for the TAP's frames to these CPUs (hex mask)
#   VETH=0 bench/tcp-e2e.sh              # skip the kernel -> kernel veth rounds
#   RELAY=0 bench/tcp-e2e.sh             # skip the kernel -> kernel rounds through the C TAP relay
#   LWIP=0 bench/tcp-e2e.sh              # skip the lwIP rounds
#   LWIP_WRITE=nocopy bench/tcp-e2e.sh   # lwIP sends with no-copy tcp_write (default: copy, as an application would)
#   INTERLEAVE=1 bench/tcp-e2e.sh        # one relay and one lwIP round right after each round of the stack (both
#                                        # stay up throughout), instead of their own rounds after the stack's:
#                                        # on a shared, drifting machine the neighbours see the same load
#   JNS_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/s.jfr" bench/tcp-e2e.sh   # extra JVM options for the stack
# BENCH_SKIP_BUILD=1 skips the Maven build, and the C builds when their binaries exist (the relay
# and lwIP rounds run only when their build succeeds; lwIP's source comes from `apt-get source lwip`).
set -euo pipefail
bench_uses_namespaces=1
source "$(dirname "$0")/common.sh"
BYTES="${BYTES:-200000000}"
ROUNDS="${ROUNDS:-3}"
MTU="${MTU:-1500}"
BUFFERS="${BUFFERS:-default}"
TAP_OFFLOAD="${TAP_OFFLOAD:-both}"
DIRECTION="${DIRECTION:-both}"
VETH="${VETH:-1}"
RELAY="${RELAY:-1}"
LWIP="${LWIP:-1}"
LWIP_WRITE="${LWIP_WRITE:-copy}"
INTERLEAVE="${INTERLEAVE:-0}"
NS_TAP=jnsb-tap NS_A=jnsb-a NS_B=jnsb-b TAP=jnsb0
STACK_IP=10.77.0.2 KERNEL_IP=10.77.0.1 VETH_A=10.78.0.1 VETH_B=10.78.0.2
NS_LWIP=jnsb-lw LWIP_TAP=jnsbl0 NS_RA=jnsb-ra NS_RB=jnsb-rb RELAY_TAP_A=jnsbr0 RELAY_TAP_B=jnsbr1 RELAY_IP_A=10.79.0.1 RELAY_IP_B=10.79.0.2
peer="$root/bench/tcp_peer.py"
relay_bin="$root/bench/relay/build/tap-relay"
lwip_bin="$root/bench/lwip/build/tcpbench"

# Builds a C reference ($1 = its build script, $2 = the binary); prints why when it cannot.
build_c() {
  if [[ "${BENCH_SKIP_BUILD:-}" == 1 && -x "$2" ]]; then return 0; fi
  if "$1" > "$work/build.log" 2>&1 && [[ -x "$2" ]]; then return 0; fi
  echo "tcp-e2e: $(basename "$(dirname "$1")") not built, its rounds are skipped:" >&2; tail -5 "$work/build.log" >&2
  return 1
}
if [[ $RELAY == 1 ]]; then build_c "$root/bench/relay/build.sh" "$relay_bin" || RELAY=0; fi
if [[ $LWIP == 1 ]]; then build_c "$root/bench/lwip/build.sh" "$lwip_bin" || LWIP=0; fi

# The targets (stack, relay, lwIP) each read their stdin from a fifo held open on fd 3, 4 or 5;
# closing it stops them. Every background process starts with the others' fds closed, or
# it would hold another target's fifo open and keep that target from seeing EOF.
stack_pid="" relay_pid="" lwip_pid=""
bench_cleanup_hook() {
  { exec 3>&- 4>&- 5>&-; } 2>/dev/null || true
  local pid
  for pid in $stack_pid $relay_pid $lwip_pid; do bench_stop_pid "$pid"; done
}
bench_netns $NS_TAP $NS_A $NS_B

ip link add veth-jnsb-a netns $NS_A type veth peer name veth-jnsb-b netns $NS_B
ip -n $NS_A link set veth-jnsb-a mtu "$MTU"
ip -n $NS_B link set veth-jnsb-b mtu "$MTU"
ip -n $NS_A addr add $VETH_A/24 dev veth-jnsb-a
ip -n $NS_B addr add $VETH_B/24 dev veth-jnsb-b
ip -n $NS_A link set veth-jnsb-a up
ip -n $NS_B link set veth-jnsb-b up

# Starts the stack (TcpTapTarget) in its namespace on a fresh TAP; $1 = offload | no-offload.
start_stack() {
  bench_netns $NS_TAP
  rm -f "$work/stdin"; mkfifo "$work/stdin"
  # shellcheck disable=SC2086  # JNS_JAVA_OPTS is split into options on purpose
  ip netns exec $NS_TAP java -XX:+ExitOnOutOfMemoryError ${JNS_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp "$jar:$root/bench/target/lib/*" \
    org.jnetstack.bench.tcp.TcpTapTarget $TAP $STACK_IP/24 $BUFFERS "$1" < "$work/stdin" > "$work/stack.out" 2>&1 4>&- 5>&- &
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
  tap_drops $NS_TAP $TAP
  exec 3>&-
  wait "$stack_pid" || true
  stack_pid=""
  grep '^stack:' "$work/stack.out" || true
}
# Frames the kernel dropped on their way to a TAP's reader (its queue of txqueuelen frames was
# full: the reader fell behind, and the kernel's sender will retransmit); $1 = namespace, $2 = TAP.
tap_drops() {
  echo "$2: kernel -> reader frames dropped (queue full): $(ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_dropped")"
}

# Waits for a target's output file $1 to hold more than $2 lines starting with $3; prints the last.
target_line() {
  local out=$1 before=$2 word=$3
  for _ in $(seq 6000); do
    local n; n=$(grep -c "^$word" "$out" || true)
    if (( n > before )); then grep "^$word" "$out" | tail -1; return; fi
    sleep 0.1
  done
  echo "timeout waiting for '$word' in $out" >&2; cat "$out" >&2; exit 1
}
stack_line() { target_line "$work/stack.out" "$@"; }
# Starts a python3 sink in namespace $1 on $2:5001 and waits until it listens; sets sink_pid.
start_sink() {
  rm -f "$work/sink.out"      # else the previous sink's "listening" may be read before the new one truncates it
  ip netns exec "$1" python3 "$peer" sink "$2" 5001 > "$work/sink.out" 3>&- 4>&- 5>&- &
  sink_pid=$!
  for _ in $(seq 300); do grep -q listening "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
}

kernel_to_stack() {
  local before; before=$(grep -c '^discard' "$work/stack.out" || true)
  ip netns exec $NS_TAP python3 "$peer" send $STACK_IP 9 "$BYTES" > /dev/null
  echo "kernel -> jnetstack (TAP): $(stack_line "$before" discard)"
}
stack_to_kernel() {
  local before; before=$(grep -c '^sent' "$work/stack.out" || true)
  start_sink $NS_TAP $KERNEL_IP
  echo "send $KERNEL_IP 5001 $BYTES" >&3
  wait $sink_pid
  echo "jnetstack -> kernel (TAP): $(grep ^received "$work/sink.out")   [stack: $(stack_line "$before" sent)]"
}
# kernel -> kernel; $1 = label, then optionally sender namespace, sink namespace, sink address
# (default: over the veth pair).
kernel_to_kernel() {
  local from=${2:-$NS_A} to=${3:-$NS_B} addr=${4:-$VETH_B}
  start_sink "$to" "$addr"
  ip netns exec "$from" python3 "$peer" send "$addr" 5001 "$BYTES" > /dev/null
  wait $sink_pid
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
    if [[ $INTERLEAVE == 1 ]]; then side_by_side_round; fi
  done
  stop_stack
}

# Kernel -> kernel through the C relay: namespace jnsb-ra holds TAP A's kernel side (and the
# relay process), jnsb-rb TAP B's, moved there after the relay opened it (its fd keeps working).
start_relay() {
  bench_netns $NS_RA $NS_RB
  rm -f "$work/relay.in"; mkfifo "$work/relay.in"
  ip netns exec $NS_RA "$relay_bin" $RELAY_TAP_A $RELAY_TAP_B < "$work/relay.in" > "$work/relay.out" 2>&1 3>&- 5>&- &
  relay_pid=$!
  exec 4>"$work/relay.in"
  for _ in $(seq 100); do grep -q '^up' "$work/relay.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^up' "$work/relay.out" || { echo "relay did not come up:" >&2; cat "$work/relay.out" >&2; exit 1; }
  ip -n $NS_RA link set $RELAY_TAP_B netns $NS_RB
  ip -n $NS_RA link set $RELAY_TAP_A mtu "$MTU"
  ip -n $NS_RB link set $RELAY_TAP_B mtu "$MTU"
  ip -n $NS_RA addr add $RELAY_IP_A/24 dev $RELAY_TAP_A
  ip -n $NS_RB addr add $RELAY_IP_B/24 dev $RELAY_TAP_B
  ip -n $NS_RA link set $RELAY_TAP_A up
  ip -n $NS_RB link set $RELAY_TAP_B up
  BYTES_SAVED=$BYTES; BYTES=50000000                        # warm-up (ARP, slow start), not reported
  relay_round > /dev/null
  BYTES=$BYTES_SAVED
}
relay_round() { kernel_to_kernel "TAP relay" $NS_RA $NS_RB $RELAY_IP_B; }
stop_relay() {
  tap_drops $NS_RA $RELAY_TAP_A; tap_drops $NS_RB $RELAY_TAP_B
  exec 4>&-
  wait "$relay_pid" || true
  relay_pid=""
  grep '^relay:' "$work/relay.out" || true
  ip netns del $NS_RA; ip netns del $NS_RB
}

# lwIP on a fresh TAP in a fresh namespace, exactly like start_stack: the harness creates the
# TAP, then the kernel side gets its address (its own namespace, so that it can run beside the
# stack with INTERLEAVE=1). The TAP's MTU stays 1500 whatever MTU says: lwIP's TCP_MSS (1460)
# is compiled in.
start_lwip() {
  bench_netns $NS_LWIP
  rm -f "$work/lwip.in"; mkfifo "$work/lwip.in"
  ip netns exec $NS_LWIP "$lwip_bin" $LWIP_TAP $STACK_IP/24 9 < "$work/lwip.in" > "$work/lwip.out" 2>&1 3>&- 4>&- &
  lwip_pid=$!
  exec 5>"$work/lwip.in"
  for _ in $(seq 100); do grep -q '^up' "$work/lwip.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^up' "$work/lwip.out" || { echo "lwIP did not come up:" >&2; cat "$work/lwip.out" >&2; exit 1; }
  ip -n $NS_LWIP link set $LWIP_TAP mtu 1500
  ip -n $NS_LWIP addr add $KERNEL_IP/24 dev $LWIP_TAP
  ip -n $NS_LWIP link set $LWIP_TAP up
  echo "lwIP $(grep '^up' "$work/lwip.out") (lwIP 2.1.3, bench/lwip/lwipopts.h, $LWIP_WRITE writes)"
  BYTES_SAVED=$BYTES; BYTES=50000000                        # warm-up (ARP, slow start), not reported
  lwip_round > /dev/null
  BYTES=$BYTES_SAVED
}
lwip_round() {
  [[ $DIRECTION == out ]] || kernel_to_lwip
  [[ $DIRECTION == in ]] || lwip_to_kernel
}
stop_lwip() {
  tap_drops $NS_LWIP $LWIP_TAP
  exec 5>&-
  wait "$lwip_pid" || true
  lwip_pid=""
  grep '^lwip:' "$work/lwip.out" || true
}
# With INTERLEAVE=1: one relay round and one lwIP round after each round of the stack.
side_by_side_round() {
  if [[ $RELAY == 1 ]]; then relay_round; fi
  if [[ $LWIP == 1 ]]; then lwip_round; fi
}
# Both ends report; the receiver's figure is the one in the table. A byte count that differs
# from BYTES on either side is flagged.
check_bytes() { # line...
  local line
  for line in "$@"; do
    [[ $(awk '{print $2}' <<< "$line") == "$BYTES" ]] || echo "tcp-e2e: byte count mismatch (expected $BYTES): $line" >&2
  done
}
kernel_to_lwip() {
  local before; before=$(grep -c '^received' "$work/lwip.out" || true)
  local sender; sender=$(ip netns exec $NS_LWIP python3 "$peer" send $STACK_IP 9 "$BYTES")
  local receiver; receiver=$(target_line "$work/lwip.out" "$before" received)
  check_bytes "$sender" "$receiver"
  echo "kernel -> lwIP (TAP): $receiver   [python: $sender]"
}
lwip_to_kernel() {
  local before; before=$(grep -c '^sent ' "$work/lwip.out" || true)
  local failed; failed=$(grep -c '^sent-failed' "$work/lwip.out" || true)
  start_sink $NS_LWIP $KERNEL_IP
  echo "source $KERNEL_IP 5001 $BYTES $LWIP_WRITE" >&5
  while kill -0 $sink_pid 2>/dev/null; do               # a failed connection leaves the sink waiting
    if (( $(grep -c '^sent-failed' "$work/lwip.out" || true) > failed )); then
      kill $sink_pid; echo "lwIP could not send:" >&2; cat "$work/lwip.out" >&2; exit 1
    fi
    sleep 0.1
  done
  wait $sink_pid
  local receiver; receiver=$(grep ^received "$work/sink.out")
  local sender; sender=$(target_line "$work/lwip.out" "$before" "sent ")
  check_bytes "$sender" "$receiver"
  echo "lwIP -> kernel (TAP): $receiver   [lwIP: $sender]"
}

if [[ $INTERLEAVE == 1 ]]; then
  if [[ $RELAY == 1 ]]; then start_relay; fi
  if [[ $LWIP == 1 ]]; then start_lwip; fi
fi
[[ $TAP_OFFLOAD == on || $TAP_OFFLOAD == both ]] && tap_phase offload
[[ $TAP_OFFLOAD == off || $TAP_OFFLOAD == both ]] && tap_phase no-offload
if [[ $INTERLEAVE == 1 ]]; then
  if [[ $RELAY == 1 ]]; then stop_relay; fi
  if [[ $LWIP == 1 ]]; then stop_lwip; fi
else
  if [[ $RELAY == 1 ]]; then
    start_relay
    for r in $(seq "$ROUNDS"); do echo "round $r (TAP relay)"; relay_round; done
    stop_relay
  fi
  if [[ $LWIP == 1 ]]; then
    start_lwip
    for r in $(seq "$ROUNDS"); do echo "round $r (lwIP)"; lwip_round; done
    stop_lwip
  fi
fi
for r in $(seq "$ROUNDS"); do
  [[ $VETH == 1 ]] || break
  echo "round $r (veth)"
  kernel_to_kernel "veth"
  if command -v ethtool > /dev/null; then
    offloads off; kernel_to_kernel "veth, offloads off"; offloads on
  fi
done
