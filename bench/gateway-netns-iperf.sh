#!/bin/bash
# jns gateway --netns against slirp4netns --configure, one sitting: an iperf3 server on the host's
# 127.0.0.1, the client in a fresh namespace (10.0.2.2 is the host's loopback through the gateway),
# 5 s each way (-R: host -> namespace), MTU 1500 and 65520. Root; needs iperf3 and slirp4netns,
# and the packaged apps jar (mvn -pl core,apps -am package -DskipTests).
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR=$ROOT/apps/target/jnetstack-apps.jar
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
iperf3 -s -B 127.0.0.1 -p 15201 -D --pidfile /tmp/iperf-srv.pid
sleep 1
for mtu in 1500 65520; do
  for gw in jns slirp; do
    ip netns add jnsbench
    if [ $gw = jns ]; then
      $JAVA -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -jar $JAR gateway --netns /run/netns/jnsbench --mtu $mtu > /tmp/bench-gw.log 2>&1 &
      pid=$!; sleep 6
    else
      slirp4netns --configure --mtu=$mtu --netns-type=path /run/netns/jnsbench tap0 > /tmp/bench-gw.log 2>&1 &
      pid=$!; sleep 2
    fi
    up=$(ip netns exec jnsbench iperf3 -c 10.0.2.2 -p 15201 -t 5 -f m | awk '/receiver/{print $7}')
    down=$(ip netns exec jnsbench iperf3 -c 10.0.2.2 -p 15201 -t 5 -f m -R | awk '/receiver/{print $7}')
    echo "mtu=$mtu gw=$gw ns->host=${up}Mbit/s host->ns=${down}Mbit/s"
    kill $pid; wait $pid 2>/dev/null
    ip netns del jnsbench
  done
done
kill $(cat /tmp/iperf-srv.pid)
