# Shared preamble of the bench scripts; source it after `set -euo pipefail`. It selects JDK 25
# (JAVA_HOME_25 overrides the default path), builds the bench module and what it needs with Maven
# unless BENCH_SKIP_BUILD=1 (online, so a fresh machine fetches JMH and the plugins), and sets:
#   $root   the repository
#   $jar    the bench jar (its dependencies are in bench/target/lib)
# Set bench_module=apps before sourcing to build the apps module instead ($jar is then
# apps/target/jnetstack-apps.jar).
#
# A script that uses network namespaces sets bench_uses_namespaces=1 before sourcing: the
# preamble then first checks for root, and also sets
#   $work   a scratch directory, removed on exit
# and provides:
#   bench_netns NS...        (re)creates network namespaces with loopback up; all are deleted on exit
#   bench_stop_pid PID       waits up to 5 s for a process told to stop (e.g. its stdin closed), then kills it
# On exit (normal, error or signal) it calls the script's bench_cleanup_hook if one is defined
# (to stop the script's own processes), then deletes the namespaces and $work.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
bench_name="$(basename "$0" .sh)"
bench_module="${bench_module:-bench}"

if [[ "${bench_uses_namespaces:-}" == 1 ]]; then
  if [[ $EUID -ne 0 ]]; then echo "$bench_name: needs root (network namespaces, TAP)" >&2; exit 1; fi
  work=$(mktemp -d)
  bench_namespaces=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM   # exiting runs the EXIT trap
fi
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -ntp -q -pl "$bench_module" -am package -DskipTests)
fi
if [[ $bench_module == bench ]]; then
  jar=$(ls "$root"/bench/target/jnetstack-bench-*.jar | grep -v -- '-sources' | head -1)
else
  jar="$root/apps/target/jnetstack-apps.jar"
fi

bench_netns() {
  local ns
  for ns in "$@"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    [[ " ${bench_namespaces[*]} " == *" $ns "* ]] || bench_namespaces+=("$ns")
  done
}

bench_stop_pid() {
  local pid=$1
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
  if declare -F bench_cleanup_hook > /dev/null; then bench_cleanup_hook || true; fi
  local ns
  for ns in "${bench_namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
