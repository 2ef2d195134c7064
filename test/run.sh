#!/usr/bin/env bash
# The whole test suite: installs what it needs, type-checks, bundles, runs every unit and lab test
# (lab tests need root: they build network namespaces and start real BIRD/FRR/GoBGP/OpenBGPD/ExaBGP/etcd),
# and ends with the plain summary line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
fail_setup=0
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit || fail_setup=$((fail_setup+1))
echo "== build";     node scripts/build.mjs || fail_setup=$((fail_setup+1))
echo "== vitest"
out=$(mktemp -d)
npx vitest run --reporter=default --reporter=json --outputFile.json="$out/results.json" "$@"
node -e '
  const fs = require("fs"); const f = process.argv[1]; const setupFailed = Number(process.argv[2]);
  let p = 0, fl = 0;
  try { const r = JSON.parse(fs.readFileSync(f, "utf8")); p = r.numPassedTests; fl = r.numFailedTests;
        // a test file that fails to load counts as a failure even though it has no test results
        fl += r.testResults.filter(t => t.status === "failed" && t.assertionResults.length === 0).length; }
  catch (e) { console.error("no vitest results: " + e.message); fl += 1; }
  fl += setupFailed;
  console.log(`${p} passed, ${fl} failed`);
  process.exit(fl > 0 ? 1 : 0);
' "$out/results.json" "$fail_setup"
