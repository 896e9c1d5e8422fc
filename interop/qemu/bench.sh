#!/bin/sh
# The QEMU guest's side of bench/qemu-guest-net.sh, run by init when the kernel command line has
# jns.bench_port. Usage: bench.sh PORT MB CONNS PINGS. Talks to the router of its DHCP lease (the
# gateway, which passes connections to the host's loopback): PORT is a sink (nc), PORT+1 an HTTP
# server of MB megabytes, PORT+2 one answering each request with one byte. Prints JNS-BENCH-* lines;
# times are the guest's /proc/uptime (10 ms steps); the host measures the same transfers itself.
PORT=$1 MB=${2:-64} CONNS=${3:-200} PINGS=${4:-20}
GW="$(sed -n 's/.*router=\([^ ]*\).*/\1/p' /tmp/lease)"
[ -n "$GW" ] || { echo "JNS-FAIL no lease"; exit 1; }
now() { cut -d' ' -f1 /proc/uptime; }
blocks=$((MB * 16))
echo "JNS-BENCH-GW $GW"
echo "JNS-BENCH-PING $(ping -c "$PINGS" -i 0.2 -W 2 "$GW" 2>&1 | grep -E 'transmitted|round-trip' | tr '\n' ' ')"

# The guest's own ceiling: the host -> guest transfer's client (wget | wc) over the guest's loopback
# from its busybox httpd, no network device involved.
dd if=/dev/zero of=/www/loop bs=65536 count=$blocks 2>/dev/null
httpd -p 127.0.0.1:8080 -h /www
t0=$(now)
got=$(wget -q -O - http://127.0.0.1:8080/loop | wc -c)
t1=$(now)
rm -f /www/loop
echo "JNS-BENCH-LOOP bytes=$got t0=$t0 t1=$t1"

t0=$(now)
dd if=/dev/zero bs=65536 count=$blocks 2>/dev/null | nc "$GW" "$PORT" || echo "JNS-FAIL send"
t1=$(now)
echo "JNS-BENCH-SEND mb=$MB t0=$t0 t1=$t1"

# What the host sends comes over HTTP (wget): nc with no input would half-close first.
t0=$(now)
got=$(wget -q -O - "http://$GW:$((PORT + 1))/" | wc -c)
t1=$(now)
echo "JNS-BENCH-RECV bytes=$got t0=$t0 t1=$t1"

# Connection setups, one at a time: each a new busybox wget (a fork and exec in the guest) that
# sends a request and reads a one-byte answer.
fail=0
i=0
t0=$(now)
while [ $i -lt "$CONNS" ]; do
  wget -q -O /dev/null "http://$GW:$((PORT + 2))/" || fail=$((fail + 1))
  i=$((i + 1))
done
t1=$(now)
echo "JNS-BENCH-CONN n=$CONNS failed=$fail t0=$t0 t1=$t1"
echo "JNS-BENCH-DONE"
