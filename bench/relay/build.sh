#!/usr/bin/env bash
# Compiles bench/relay/tap-relay.c into bench/relay/build/tap-relay (not committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/build"
gcc -O2 -Wall -Wextra -Werror -o "$here/build/tap-relay" "$here/tap-relay.c"
echo "$here/build/tap-relay"
