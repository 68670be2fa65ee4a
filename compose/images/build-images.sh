#!/usr/bin/env bash
# Builds the container images of Tendril itself, locally and without a registry:
#   tendril/root:latest  the root (DNS + control), with SpatiaLite
#   tendril/edge:latest  the edge node, with libbpf and the compiled eBPF object
# plus the sample service image tendril/httpd-demo:latest (scripts/build-demo-image.sh).
#
# Each image is a folder made here and imported with `docker import`: a jlink'd Java
# runtime holding only the modules the jars need, the jars, and exactly the shared
# libraries that the runtime and the native parts load (found with ldd on this Debian 12
# machine, so they come from Debian's packages), plus busybox for a shell. No base image,
# no package manager inside. Prints each image's size.
#
# Usage: compose/images/build-images.sh [--no-build]   (REBUILD=1 rebuilds existing images)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$(pwd)"
VERSION=0.1.0-SNAPSHOT

if [ "${1:-}" != "--no-build" ]; then
  scripts/setup.sh --no-build
  echo "images: building the root and the edge node (mvn package)"
  mvn -q -B -pl root-dns-server,edge-node,clients -am package -DskipTests
fi
scripts/ensure-dockerd.sh
scripts/build-demo-image.sh

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A Java runtime with the modules the jars use (jdeps), plus the ones loaded by name at run
# time (Ed25519 and EC from jdk.crypto.ec, the HTTP server of /metrics, JMX for OSHI/JFR).
java_runtime() { # module-dir out-dir
  local mod="$1" out="$2" deps
  deps="$(jdeps -q --multi-release 17 --ignore-missing-deps --print-module-deps \
    --class-path "$mod/target/lib/*" "$mod/target/$(basename "$mod")-$VERSION.jar" 2>/dev/null || true)"
  deps="${deps:-java.base}"
  # java.desktop (java.beans, named by Jackson and Logback but optional for them) and jdk.jfr
  # (profiling) would add ~15 MB: left out; JFR stays available in the bin/ launchers.
  deps="$(echo "$deps" | tr ',' '\n' | grep -vx 'java.desktop\|jdk.jfr' | paste -sd, -)"
  deps="$deps,java.logging,java.management,jdk.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.crypto.ec,jdk.httpserver,java.net.http,jdk.zipfs"
  jlink --add-modules "$deps" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out"
}

# Copies files with the shared libraries they need (ldd), keeping their paths.
copy_with_libs() { # rootfs file...
  local rootfs="$1"; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$rootfs$(dirname "$f")"
    cp -L "$f" "$rootfs$f"
    for lib in $(ldd "$f" 2>/dev/null | awk '/=>/ {print $3} /^\t\/.*ld-linux/ {print $1}'); do
      [ -e "$rootfs$lib" ] && continue
      mkdir -p "$rootfs$(dirname "$lib")"
      cp -L "$lib" "$rootfs$lib"
    done
  done
}

base_rootfs() { # rootfs module
  local rootfs="$1" mod="$2"
  mkdir -p "$rootfs"/{bin,etc,tmp,var/lib/tendril,opt/tendril/lib,etc/tendril}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for app in sh ls cat ps kill wget nc sleep; do ln -sf busybox "$rootfs/bin/$app"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  java_runtime "$mod" "$rootfs/opt/java"
  # the JVM's own libraries and their dependencies (libz, libstdc++, ...)
  for so in $(find "$rootfs/opt/java" -name '*.so') "$rootfs/opt/java/bin/java"; do
    for lib in $(ldd "$so" 2>/dev/null | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}'); do
      case "$lib" in "$rootfs"/*) continue ;; esac   # the runtime's own libraries ($ORIGIN)
      [ -e "$rootfs$lib" ] || { mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib"; }
    done
  done
  # the native parts that jars extract at run time (sqlite-jdbc, JNA, jffi) link libpthread,
  # libdl, libm and librt by their old names; the C library's name service; libgcc_s for
  # thread cancellation:
  copy_with_libs "$rootfs" /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/libdl.so.2 \
    /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/librt.so.1 /lib/x86_64-linux-gnu/libgcc_s.so.1 /lib/x86_64-linux-gnu/libnss_files.so.2 \
    /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2
  cp "$mod/target/$(basename "$mod")-$VERSION.jar" "$rootfs/opt/tendril/"
  cp "$mod"/target/lib/*.jar "$rootfs/opt/tendril/lib/"
  # jars carry native libraries for every OS and CPU (sqlite-jdbc 12 MB, Ratis's shaded Netty
  # 11 MB): keep only this machine's (Linux, this CPU); Ratis's netty-tcnative (BoringSSL) stays,
  # the Raft transport's TLS runs on it
  local arch other; arch="$(uname -m)"
  case "$arch" in x86_64) other='aarch_\?64\|aarch64\|arm\|ppc64\|riscv\|s390\|/x86/' ;; *) other='x86_64\|x86\|ppc64\|riscv\|s390' ;; esac
  for jar in "$rootfs"/opt/tendril/lib/*.jar; do
    local drop
    drop="$(unzip -Z1 "$jar" | grep -v '/$' | grep -i '\.\(so\|dll\|jnilib\|dylib\)$\|^org/sqlite/native/' \
      | grep -i 'windows\|osx\|macos\|mac/\|darwin\|sunos\|solaris\|aix\|openbsd\|dragonfly\|freebsd\|musl\|android\|\.dll$\|\.jnilib$\|\.dylib$\|'"$other" || true)"
    if [ -n "$drop" ]; then
      echo "$drop" | tr '\n' '\0' | xargs -0 zip -q -d "$jar" >/dev/null
    fi
  done
}

import_image() { # rootfs image entrypoint-json cmd-json
  local rootfs="$1" image="$2"
  if docker image inspect "$image" >/dev/null 2>&1; then docker rmi -f "$image" >/dev/null; fi
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/opt/java/bin:/bin' -c 'ENV LANG=C.UTF-8' -c 'WORKDIR /var/lib/tendril' \
    -c "ENTRYPOINT $3" -c "CMD $4" - "$image" >/dev/null
  printf 'images: %-22s %s MB\n' "$image" \
    "$(( $(docker image inspect -f '{{.Size}}' "$image") / 1000000 ))"
}

JVM='"-XX:+UseSerialGC", "-Xss512k", "-XX:+ExitOnOutOfMemoryError"'

build_root() {
  local image=tendril/root:latest rootfs="$work/root"
  if docker image inspect "$image" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
    echo "images: $image exists (REBUILD=1 rebuilds it)"; return; fi
  base_rootfs "$rootfs" root-dns-server
  # SpatiaLite, loaded by sqlite-jdbc as an extension (load_extension('mod_spatialite'))
  copy_with_libs "$rootfs" /usr/lib/x86_64-linux-gnu/mod_spatialite.so.7
  ln -sf mod_spatialite.so.7 "$rootfs/usr/lib/x86_64-linux-gnu/mod_spatialite.so"
  import_image "$rootfs" "$image" \
    "[\"/opt/java/bin/java\", $JVM, \"-Xms32m\", \"-Xmx192m\", \"-cp\", \"/opt/tendril/root-dns-server-$VERSION.jar:/opt/tendril/lib/*\", \"dev.tendril.root.bootstrap.RootMain\"]" \
    '["--config", "/etc/tendril/root.yaml"]'
}

build_edge() {
  local image=tendril/edge:latest rootfs="$work/edge"
  if docker image inspect "$image" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
    echo "images: $image exists (REBUILD=1 rebuilds it)"; return; fi
  base_rootfs "$rootfs" edge-node
  # libbpf for the eBPF latency probe (jnr-ffi loads libbpf.so.1); the object is in the jar
  copy_with_libs "$rootfs" /usr/lib/x86_64-linux-gnu/libbpf.so.1
  import_image "$rootfs" "$image" \
    "[\"/opt/java/bin/java\", $JVM, \"-Xms16m\", \"-Xmx128m\", \"-XX:MaxMetaspaceSize=96m\", \"-cp\", \"/opt/tendril/edge-node-$VERSION.jar:/opt/tendril/lib/*\", \"dev.tendril.edge.bootstrap.EdgeNodeMain\"]" \
    '["--config", "/etc/tendril/edge.yaml"]'
}

build_root
build_edge
