#!/usr/bin/env bash
# TCP between two stacks in one JVM on one virtual-clock loop, wall time measured, one run:
# bulk Gbit/s at MTU 1500 and 65535, request/response round trips/s, connection setups/s.
#   bench/tcp-inprocess.sh                            # all, 3 runs of 5 s each after 2 s warm-up
#   bench/tcp-inprocess.sh --runs 5 --seconds 10 bulk # longer, bulk only
# BENCH_SKIP_BUILD=1 skips the Maven build. JAVA_OPTS adds JVM options (e.g. a JFR recording;
# -Djnetstack.checksum.simd=false for the scalar checksum). The Vector API module gives SIMD checksums.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# shellcheck disable=SC2086
exec java -XX:+ExitOnOutOfMemoryError --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$jar:$root/bench/target/lib/*" org.jnetstack.bench.tcp.TcpInProcessRun "$@"
