#!/usr/bin/env bash
# Installs what swapbench needs on Debian 12 and builds it into build/.
# Run as root from anywhere; safe to run again (installs only what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build and tests
  build-essential cmake pkg-config libgtest-dev libgmock-dev libbenchmark-dev libxml2-utils
  # tests: the libFuzzer targets (bench/fuzz.sh)
  clang libclang-rt-14-dev
  # tests: report.html is rendered in headless Chromium
  chromium-headless-shell fonts-dejavu-core libpng-dev
  # libraries
  libvirt-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libpcap-dev
  # compressed kernel modules (.ko.xz, .ko.zst, .ko.gz)
  liblzma-dev libzstd-dev zlib1g-dev
  # bisect: Debian version order
  libapt-pkg-dev
  # reproduction manifests: sha256
  libssl-dev
  # tests: captures are read back with tcpdump
  tcpdump
  # the parts a run uses
  qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu
  # run --record: the snapshot drive (qemu-img)
  qemu-utils
  nfs-ganesha nfs-ganesha-vfs rpcbind nbd-server nbd-client tgt open-iscsi
  busybox-static kmod iproute2 util-linux
  # [[flood]] kind tcpreplay: the real tcpreplay and tcprewrite
  tcpreplay
  # the stress-ng workload (copied into the guest image when a scenario runs it)
  stress-ng
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# libvirt's embedded QEMU driver, run as root, still wants this user.
getent passwd libvirt-qemu >/dev/null || adduser --system --group --no-create-home libvirt-qemu

cmake -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
echo "setup: built build/swapbench"
