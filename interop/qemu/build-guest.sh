#!/usr/bin/env bash
# Builds a small Linux guest for the QEMU interop tests into DIR (a cache under target/):
#   DIR/vmlinuz           Debian's cloud kernel (linux-image-cloud-amd64, fetched with apt-get download)
#   DIR/initramfs.cpio.gz busybox-static, the virtio-net modules, and the guest's scenario (init, udhcpc.sh, bench.sh)
# Needs busybox-static and cpio installed and apt's package lists present (.ci/run runs apt-get update).
# Used by the interop tests (QemuGuest) and bench/qemu-guest-net.sh.
# Rebuilds the initramfs when init, udhcpc.sh or bench.sh changed; the kernel is downloaded once.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${1:?usage: build-guest.sh DIR}"
mkdir -p "$DIR"
cd "$DIR"

# The virtio-net driver is a module in the cloud kernel; this is the order they load in.
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net)

if [[ ! -f vmlinuz || ! -d modules ]]; then
  rm -rf deb x modules
  mkdir -p deb
  (cd deb && apt-get download -q linux-image-cloud-amd64 >/dev/null 2>&1) \
    || { echo "build-guest.sh: apt-get download linux-image-cloud-amd64 failed (run apt-get update)" >&2; exit 1; }
  # The metapackage depends on the versioned image package, which holds the kernel.
  image="$(dpkg-deb -f deb/linux-image-cloud-amd64_*.deb Depends | sed 's/[ ,(].*//')"
  (cd deb && apt-get download -q "$image" >/dev/null 2>&1) \
    || { echo "build-guest.sh: apt-get download $image failed" >&2; exit 1; }
  dpkg-deb -x deb/"$image"_*.deb x
  mkdir -p modules
  for m in "${MODULES[@]}"; do
    f="$(find x/lib/modules -name "$m.ko" -o -name "$m.ko.xz" | head -1)"
    [[ -n "$f" ]] || { echo "build-guest.sh: module $m not in $image" >&2; exit 1; }
    cp "$f" modules/
  done
  cp x/boot/vmlinuz-* vmlinuz.tmp && mv vmlinuz.tmp vmlinuz
  rm -rf x
fi

if [[ ! -f initramfs.cpio.gz || "$HERE/init" -nt initramfs.cpio.gz || "$HERE/udhcpc.sh" -nt initramfs.cpio.gz
      || "$HERE/bench.sh" -nt initramfs.cpio.gz ]]; then
  busybox="$(command -v busybox || true)"
  if [[ -z "$busybox" ]] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
    busybox=/bin/busybox
  fi
  [[ -x "$busybox" ]] || { echo "build-guest.sh: busybox-static is not installed" >&2; exit 1; }
  command -v cpio >/dev/null || { echo "build-guest.sh: cpio is not installed" >&2; exit 1; }
  rm -rf root
  mkdir -p root/bin root/lib/modules root/etc
  cp "$busybox" root/bin/busybox
  cp modules/*.ko* root/lib/modules/
  cp "$HERE/init" root/init
  cp "$HERE/udhcpc.sh" root/udhcpc.sh
  cp "$HERE/bench.sh" root/bench.sh
  chmod 755 root/init root/udhcpc.sh root/bench.sh
  printf '%s\n' "${MODULES[@]}" > root/lib/modules/order
  (cd root && find . | cpio -o -H newc --quiet | gzip -1) > initramfs.tmp && mv initramfs.tmp initramfs.cpio.gz
  rm -rf root
fi
echo "$DIR/vmlinuz $DIR/initramfs.cpio.gz"
