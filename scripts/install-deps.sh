#!/usr/bin/env bash
# Installs what tortie's tests, benchmarks and demo need on a fresh Debian 12 machine (as root):
# the Debian BGP daemons used as interop peers and anchors, etcd, the reference CNI plugins, iproute2;
# then the npm dependencies from package-lock.json. Idempotent: re-running is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(iproute2 bird2 frr gobgpd exabgp openbgpd etcd-server etcd-client containernetworking-plugins
      busybox-static tcpdump nftables iputils-ping containerd runc)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund 2>&1 | grep -v 'nodedir\|install-scripts' || true
fi
