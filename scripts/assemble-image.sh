#!/bin/sh
# Assembles the file tree the Dockerfile's final stage has, into DIR — for machines without a container
# engine (like the one tortie is developed on), so the image layout can be tested:
#   DIR/opt/tortie/bin/          dist/* (bgpd, bgpctl, tortie, tortie-ipam, tortie-install, …)
#   DIR/opt/tortie/node_modules/ production dependencies only (npm ls --omit=dev)
#   DIR/usr/local/bin/node       the Node runtime (the image gets it from node:20-bookworm-slim)
# Not included (the image gets them from apt): iproute2 and the base system.
# Environment: DIST (default ./dist), NODE_BIN (default: node on PATH), NO_NODE_MODULES=1 to skip them.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 64; }
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
dist=${DIST:-$root/dist}
node_bin=${NODE_BIN:-$(command -v node)}
[ -x "$dist/tortie-install" ] || { echo "$0: $dist/tortie-install missing: run node scripts/build.mjs" >&2; exit 1; }

mkdir -p "$out/opt/tortie/bin" "$out/usr/local/bin"
# Code caches the CNI stubs wrote while testing (cni/boot.ts) are per machine: not part of the image.
(cd "$dist" && tar -cf - --exclude='*.cache' .) | (cd "$out/opt/tortie/bin" && tar -xf -)
cp "$node_bin" "$out/usr/local/bin/node"
chmod 755 "$out/usr/local/bin/node"

if [ "${NO_NODE_MODULES:-}" != 1 ]; then
  # Every production package (transitively) as npm resolved it, copied with its path under node_modules.
  (cd "$root" && npm ls --omit=dev --all --parseable 2>/dev/null) | while read -r dir; do
    case $dir in "$root/node_modules/"*) ;; *) continue ;; esac
    rel=${dir#"$root/"}
    mkdir -p "$out/opt/tortie/$(dirname "$rel")"
    [ -e "$out/opt/tortie/$rel" ] || cp -a "$dir" "$out/opt/tortie/$rel"
  done
  # install-cni uses npm's lock stamp to skip re-copying unchanged modules onto the host.
  [ -f "$root/node_modules/.package-lock.json" ] && cp "$root/node_modules/.package-lock.json" "$out/opt/tortie/node_modules/"
fi
echo "assembled $out"
