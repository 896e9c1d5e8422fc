#!/usr/bin/env bash
# Builds the benchmarks and runs JMH on JDK 25. Arguments go to JMH, e.g.
#   bench/run.sh                                  # everything, default iterations
#   bench/run.sh ReceivePath -prof gc             # frames/s and bytes allocated per frame
#   bench/run.sh Checksum -wi 2 -i 3 -f 1         # fewer iterations
#   bench/run.sh -l                               # list benchmarks
# BENCH_SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$jar:$root/bench/target/lib/*" org.openjdk.jmh.Main "$@"
