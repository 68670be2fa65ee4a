#!/usr/bin/env bash
# Installs what Tendril needs on Debian 12 (apt packages, Maven build). Safe to run again:
# packages already present are not reinstalled, and the build is incremental.
# Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  openjdk-17-jdk-headless maven          # build and run
  dnsutils dnsperf                       # dig for tests, dnsperf for benchmarks
  libsqlite3-mod-spatialite              # root topology repository
  gdnsd knot                             # reference DNS servers for the benchmark
  docker.io busybox-static               # edge node deployments, demo image
  docker-compose zip unzip               # compose/docker-compose.yml; compose/images/build-images.sh
  clang llvm bpftool libbpf1 libbpf-dev  # eBPF object build and load
  iproute2 iptables procps curl          # test hosts in network namespaces
  make gcc libc6-dev                     # ebpf/Makefile; the link relay of compose/links
  fontconfig fonts-dejavu-core           # text in the PNG plots of tendril-eval (Java2D, headless)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  # gdnsd and knot start services on install; the benchmark runs its own instances.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  for svc in gdnsd knot; do $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; done
fi

if [ "${1:-}" != "--no-build" ]; then
  echo "setup: building (mvn install -DskipTests)"
  mvn -q -B install -DskipTests
fi
