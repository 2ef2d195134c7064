#!/usr/bin/env bash
# The main job, runnable on a fresh machine as root: installs what it needs, builds, then runs the
# demo lab (3 nodes + FRR ToR in network namespaces, pods via the CNI plugin, ping matrix).
# Extra arguments go to scripts/demo.ts: --nodes N, --encap none|vxlan|ipip, --rr, --once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node scripts/build.mjs
for f in config/examples/*.yaml; do
  node dist/bgpd --config "$f" --check
done
# node with the tsx loader rather than `npx tsx`: one process, so Ctrl-C reaches the lab's cleanup once
# instead of through npm/tsx wrappers that may kill it half way (a lab left behind by a killed run is
# removed by the next run anyway)
exec node --import tsx scripts/demo.ts "$@"
