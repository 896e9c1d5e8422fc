#!/usr/bin/env bash
# A QEMU guest's network, three ways, one sitting: the busybox guest of the interop tests (Debian's
# cloud kernel, built by interop/qemu/build-guest.sh into interop/target/qemu-guest) booted under TCG
# (no KVM; -smp 1, 256 MB) on
#   jns       jns gateway --qemu SOCKET, QEMU -netdev stream to it (MTU 1500, its default);
#   jns65520  the same with --mtu 65520, the MTU passt offers (not in the default set);
#   slirp     QEMU's built-in -netdev user (libslirp, MTU 1500);
#   passt     passt --socket SOCKET, QEMU -netdev stream to it (its DHCP offers MTU 65520),
# in turn within each round (NETWORKS, default "jns slirp passt"), ROUNDS rounds (default 5) after one warm-up
# round whose figures are dropped. Each boot runs interop/qemu/bench.sh in the guest against the
# router of its DHCP lease, which each of the three passes to the host's 127.0.0.1, where
# bench/qemu_guest_peer.py listens:
#   ping   PINGS echo requests (default 20, 0.2 s apart) to the router (jns and libslirp answer for
#          their own address; passt's router is the host's real default gateway, which passt pings
#          through an ICMP echo socket, so only where net.ipv4.ping_group_range allows them);
#   loop   MB megabytes (default 64) over the guest's own loopback (busybox httpd -> wget | wc, timed
#          by the guest's clock): what the guest's CPU moves with no network device at all;
#   send   MB megabytes guest -> host (dd | nc in the guest; the host times accept -> last byte);
#   recv   MB megabytes host -> guest (busybox wget | wc in the guest; the host times accept -> the
#          guest's close). Not nc: nc with no input half-closes at once, and passt 2023-03-09 then
#          stops passing the host's data to the guest (its host socket's receive queue stays full);
#   conn   CONNS connections (default 200) one after another from the guest, each a new busybox wget
#          fetching one byte (the host times first accept -> last accept).
# For each interval the host also samples the CPU used by QEMU's vCPU thread (the guest's CPU: when
# it is near 100%, TCG, not the network, is the limit), QEMU's other threads (its main loop, where
# libslirp and the stream socket run) and the gateway process (jns's JVM, passt).
# Prints one line per boot and measure, then medians and ranges. Needs qemu-system-x86,
# busybox-static, cpio, passt, python3, and apt's package lists (the kernel is fetched with
# `apt-get download linux-image-cloud-amd64` and unpacked with dpkg-deb); it installs nothing and
# says which package is missing. Run as root or not.
# Builds the apps module first; BENCH_SKIP_BUILD=1 skips the build. JNS_JAVA_OPTS adds options to
# the gateway's JVM (e.g. -XX:StartFlightRecording=...).
set -euo pipefail
bench_module=apps
source "$(dirname "$0")/common.sh"
rounds=${ROUNDS:-5}
mb=${MB:-64}
conns=${CONNS:-200}
pings=${PINGS:-20}
port=${PORT:-15400}
networks=(${NETWORKS:-jns slirp passt})

missing=()
need() { command -v "$1" > /dev/null || missing+=("$2 (for $1)"); }
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need passt passt
need python3 python3
need apt-get apt
need dpkg-deb dpkg
if [[ ! -x /bin/busybox ]] || { command -v dpkg-query > /dev/null \
    && [[ "$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null)" != *"ok installed"* ]]; }; then
  missing+=("busybox-static (the guest's userland)")
fi
if (( ${#missing[@]} )); then
  echo "$bench_name: missing: ${missing[*]}; Debian: apt-get install qemu-system-x86 busybox-static cpio passt python3" >&2
  exit 1
fi

work=$(mktemp -d)
gw_pid=""
gw64_pid=""
passt_pid=""
qemu_pid=""
peer_pid=""
stop() {
  local p
  for p in "$@"; do
    if [[ -n "$p" ]]; then kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; fi
  done
}
cleanup() {
  stop "$qemu_pid" "$peer_pid" "$passt_pid" "$gw_pid" "$gw64_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # exiting runs the EXIT trap

guest_dir="$root/interop/target/qemu-guest"
"$root/interop/qemu/build-guest.sh" "$guest_dir" > /dev/null

# start_jns NAME MTU: a gateway on $work/NAME.sock; its pid in $started.
start_jns() {
  # shellcheck disable=SC2086
  java -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED ${JNS_JAVA_OPTS:-} -jar "$jar" \
      gateway --qemu "$work/$1.sock" --mtu "$2" > "$work/$1.log" 2>&1 &
  started=$!
  for _ in $(seq 150); do grep -q "jns gateway: waiting for QEMU" "$work/$1.log" && return; sleep 0.2; done
  echo "$bench_name: jns gateway did not come up:" >&2; cat "$work/$1.log" >&2; exit 1
}
start_passt() {
  rm -f "$work/passt.sock"
  # As root passt would change to nobody, which then cannot create its socket in $work (root's, 0700)
  # and says it is bound all the same: --runas 0 keeps it root (its other sandboxing stays).
  local runas=()
  if [[ $EUID -eq 0 ]]; then runas=(--runas 0); fi
  # shellcheck disable=SC2086
  passt -f "${runas[@]}" ${PASST_OPTS:-} --socket "$work/passt.sock" > "$work/passt.log" 2>&1 &
  passt_pid=$!
  for _ in $(seq 100); do [[ -S "$work/passt.sock" ]] && return; sleep 0.1; done
  echo "$bench_name: passt did not come up:" >&2; cat "$work/passt.log" >&2; exit 1
}

# One boot of the guest on network $1; appends "NET MEASURE key=value..." lines to $work/results.
boot() {
  local net=$1 round=$2 netdev gw=-
  case $net in
    jns)
      if [[ -z "$gw_pid" ]] || ! kill -0 "$gw_pid" 2> /dev/null; then start_jns jns 1500; gw_pid=$started; fi
      netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$work/jns.sock"; gw=$gw_pid ;;
    jns65520)
      if [[ -z "$gw64_pid" ]] || ! kill -0 "$gw64_pid" 2> /dev/null; then start_jns jns65520 65520; gw64_pid=$started; fi
      netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$work/jns65520.sock"; gw=$gw64_pid ;;
    slirp)
      netdev="user,id=n0" ;;
    passt)
      # passt serves one QEMU after another; start it again if it ended with the last one.
      if [[ -z "$passt_pid" ]] || ! kill -0 "$passt_pid" 2> /dev/null; then start_passt; fi
      netdev="stream,id=n0,server=off,addr.type=unix,addr.path=$work/passt.sock"; gw=$passt_pid ;;
  esac
  rm -f "$work/qemu.pid" "$work/console.log"
  python3 "$root/bench/qemu_guest_peer.py" "$port" "$mb" "$conns" "$work/qemu.pid" "$gw" > "$work/peer.log" 2>&1 &
  peer_pid=$!
  for _ in $(seq 50); do grep -q listening "$work/peer.log" && break; sleep 0.1; done
  qemu-system-x86_64 -accel tcg -m 256 -smp 1 -display none -no-reboot -name jnsbench,debug-threads=on \
      -kernel "$guest_dir/vmlinuz" -initrd "$guest_dir/initramfs.cpio.gz" \
      -append "console=ttyS0 panic=-1 quiet jns.bench_port=$port jns.bench_mb=$mb jns.bench_conns=$conns jns.bench_pings=$pings" \
      -monitor none -serial "file:$work/console.log" -pidfile "$work/qemu.pid" \
      -netdev "$netdev" -device virtio-net-pci,netdev=n0,romfile= > "$work/qemu.log" 2>&1 &
  qemu_pid=$!
  local deadline=$((SECONDS + 600))
  while kill -0 "$qemu_pid" 2> /dev/null && (( SECONDS < deadline )); do sleep 0.5; done
  stop "$qemu_pid"; qemu_pid=""
  for _ in $(seq 50); do kill -0 "$peer_pid" 2> /dev/null || break; sleep 0.1; done
  stop "$peer_pid"; peer_pid=""
  if ! grep -q JNS-BENCH-DONE "$work/console.log" || grep -q -e JNS-FAIL -e timeout "$work/console.log" "$work/peer.log"; then
    echo "$net round $round: the guest's run failed; its console and the host's side:" >&2
    grep -a -e JNS- -e Kernel "$work/console.log" >&2 || true
    cat "$work/peer.log" "$work/qemu.log" >&2
    return
  fi
  local ping loop
  ping=$(grep -a JNS-BENCH-PING "$work/console.log" | tr -d '\r')
  # bytes=N t0=S t1=S, the guest's clock in 10 ms steps
  loop=$(grep -a JNS-BENCH-LOOP "$work/console.log" | tr -d '\r' | awk '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["t1"] > v["t0"]) printf "bytes=%d mbps=%.2f", v["bytes"], v["bytes"] / (v["t1"] - v["t0"]) / 1e6 }')
  {
    echo "$net $round ping $(echo "$ping" | sed -n 's/.*round-trip min\/avg\/max = \([0-9.]*\)\/\([0-9.]*\)\/\([0-9.]*\).*/min=\1 avg=\2 max=\3/p') \
lost=$(echo "$ping" | sed -n 's/.* \([0-9]*\)% packet loss.*/\1/p')"
    echo "$net $round loop $loop"
    sed -n "s/^\(send\|recv\|conn\) /$net $round \1 /p" "$work/peer.log"
  } | tee -a "$work/results"
}

echo "$bench_name: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$bench_name: $rounds rounds after a warm-up, MB=$mb CONNS=$conns PINGS=$pings, networks: ${networks[*]}"
for round in $(seq 0 "$rounds"); do
  for net in "${networks[@]}"; do
    boot "$net" "$round"
  done
done
echo "$bench_name: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians and ranges over rounds 1..ROUNDS (round 0 warmed up the JIT and the caches).
python3 - "$work/results" "${networks[@]}" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
nets = sys.argv[2:]
def values(net, measure, key):
    out = []
    for r in rows:
        if r[0] == net and r[1] != "0" and r[2] == measure:
            kv = dict(x.split("=", 1) for x in r[3:] if "=" in x)
            if kv.get(key, "") not in ("",):
                out.append(float(kv[key]))
    return out
def cell(v, fmt):
    if not v:
        return "-"
    return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}-{fmt.format(max(v))})"
cols = [("ping", "avg", "{:.2f}", "ping avg ms"), ("loop", "mbps", "{:.1f}", "guest loopback MB/s"),
        ("send", "mbps", "{:.1f}", "guest->host MB/s"), ("send", "vcpu", "{:.0f}", "vCPU %"),
        ("send", "qemu_other", "{:.0f}", "QEMU other %"), ("send", "gw", "{:.0f}", "gateway %"),
        ("recv", "mbps", "{:.1f}", "host->guest MB/s"), ("recv", "vcpu", "{:.0f}", "vCPU %"),
        ("recv", "qemu_other", "{:.0f}", "QEMU other %"), ("recv", "gw", "{:.0f}", "gateway %"),
        ("conn", "per_s", "{:.1f}", "conn/s"), ("conn", "vcpu", "{:.0f}", "vCPU %")]
print("medians (min-max) over rounds 1.." + str(max(int(r[1]) for r in rows)))
for m, k, f, title in cols:
    print(f"{title:22s}" + "".join(f"{n + ': ' + cell(values(n, m, k), f):30s}" for n in nets))
PY
