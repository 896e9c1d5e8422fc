#!/usr/bin/env bash
# TCP between two stacks in one JVM on one virtual-clock loop, wall time measured, one run:
# bulk Gbit/s at MTU 1500 and 65535, request/response round trips/s, connection setups/s.
#   bench/tcp-inprocess.sh                            # all, 3 runs of 5 s each after 2 s warm-up
#   bench/tcp-inprocess.sh --runs 5 --seconds 10 bulk # longer, bulk only
# BENCH_SKIP_BUILD=1 skips the Maven build. JAVA_OPTS adds JVM options (e.g. a JFR recording;
# -Djnetstack.checksum.simd=false for the scalar checksum). The Vector API module gives SIMD checksums.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -ntp -q -o -pl bench -am package -DskipTests)
fi
jar=$(ls "$root"/bench/target/jnetstack-bench-*.jar | grep -v -- '-sources' | head -1)
# shellcheck disable=SC2086
exec java -XX:+ExitOnOutOfMemoryError --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$jar:$root/bench/target/lib/*" org.jnetstack.bench.tcp.TcpInProcessRun "$@"
