#!/usr/bin/env bash
# Builds bench/lwip/build/tcpbench: lwIP 2.1.3 (Debian's source package, fetched with
# `apt-get source lwip` into bench/lwip/build/, not committed) compiled with our lwipopts.h and
# arch/cc.h and linked with our harness tcpbench.c. gcc -O2, no cmake.
#   bench/lwip/build.sh            # prints the binary's path
#   LWIP_SRC=/path/to/lwip-2.1.3 bench/lwip/build.sh   # use an unpacked tree instead
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/build"
mkdir -p "$build"

src="${LWIP_SRC:-}"
if [[ -z "$src" ]]; then
  src=$(ls -d "$build"/lwip-2.1.3* 2>/dev/null | head -1 || true)
fi
if [[ -z "$src" || ! -f "$src/src/core/tcp.c" ]]; then
  # apt-get source needs a deb-src entry; add one (its own file, idempotent) if none exists.
  if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/jnetstack-debsrc.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
  fi
  (cd "$build" && apt-get -o APT::Sandbox::User=root source -qq lwip > /dev/null)
  src=$(ls -d "$build"/lwip-2.1.3* | head -1)
fi

lw="$src/src"
files=(
  core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c core/netif.c
  core/pbuf.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c core/timeouts.c
  core/udp.c
  core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c
  netif/ethernet.c
)
gcc -O2 -g -Wall -Wno-address -I"$here" -I"$lw/include" -o "$build/tcpbench" \
  "$here/tcpbench.c" "${files[@]/#/$lw/}"
echo "$build/tcpbench"
