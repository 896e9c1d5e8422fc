#!/usr/bin/env bash
# Heap per idle established TCP connection: 10,000 connections between two stacks in one JVM,
# idle, full GC, heap delta / endpoints, and a class-histogram diff.
#   bench/tcp-idleheap.sh            # 10,000 connections
#   bench/tcp-idleheap.sh 20000
# BENCH_SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -ntp -q -o -pl bench -am package -DskipTests)
fi
jar=$(ls "$root"/bench/target/jnetstack-bench-*.jar | grep -v -- '-sources' | head -1)
exec java --add-modules jdk.incubator.vector -cp "$jar:$root/bench/target/lib/*" org.jnetstack.bench.tcp.TcpIdleHeap "$@"
