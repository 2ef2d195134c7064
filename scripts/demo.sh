#!/usr/bin/env bash
# The main job, runnable on a fresh machine. Until the multi-node demo lab exists (issue 6), this builds
# tortie and runs the daemon's config check on every example config.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node scripts/build.mjs
for f in config/examples/*.yaml; do
  node dist/bgpd --config "$f" --check
done
