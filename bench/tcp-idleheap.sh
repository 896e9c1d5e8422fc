#!/usr/bin/env bash
# Heap per TCP connection: N connections between two stacks in one JVM, measured never used,
# after one byte each way, and in TIME-WAIT (full GC, heap delta / endpoints, class-histogram diff).
#   bench/tcp-idleheap.sh                              # 10,000 connections
#   JAVA_OPTS=-Xmx512m bench/tcp-idleheap.sh 100000    # 100,000 connections on a 512 MiB heap
# BENCH_SKIP_BUILD=1 skips the Maven build. JAVA_OPTS adds JVM options.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# shellcheck disable=SC2086
exec java -XX:+ExitOnOutOfMemoryError --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$jar:$root/bench/target/lib/*" org.jnetstack.bench.tcp.TcpIdleHeap "$@"
