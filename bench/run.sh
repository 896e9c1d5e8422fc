#!/usr/bin/env bash
# Builds the benchmarks and runs JMH on JDK 25. Arguments go to JMH, e.g.
#   bench/run.sh                                  # everything, default iterations
#   bench/run.sh ReceivePath -prof gc             # frames/s and bytes allocated per frame
#   bench/run.sh Checksum -wi 2 -i 3 -f 1         # fewer iterations
#   bench/run.sh -l                               # list benchmarks
# BENCH_SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -ntp -q -o -pl bench -am package -DskipTests) \
    || (cd "$root" && mvn -B -ntp -q -pl bench -am package -DskipTests)
fi
jar=$(ls "$root"/bench/target/jnetstack-bench-*.jar | grep -v -- '-sources' | head -1)
exec java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$jar:$root/bench/target/lib/*" org.openjdk.jmh.Main "$@"
