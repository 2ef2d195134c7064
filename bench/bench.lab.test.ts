// Runs `npm run bench -- --quick` for every part that exists (into a temp dir, not bench/results)
// and checks that numbers came out — never how fast anything was. Needs root (namespaces) and the
// Debian daemons; anchors that are not installed are skipped by the harness itself.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBench } from './run';
import type { PartOutcome } from './run';
import type { PassThroughResult } from './bgp-passthrough';
import { LAB_PREFIX } from './bgp-passthrough';
import { peerBundle } from './bgp-child';

const root = process.getuid?.() === 0;

function tbnNamespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(LAB_PREFIX));
}

describe.skipIf(!root)('bench harness, quick mode', () => {
  it('produces a report with numbers for every part that exists, and leaves nothing behind', { timeout: 175_000 }, async () => {
    const before = tbnNamespaces();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tortie-bench-test-'));
    const lines: string[] = [];
    const common = { quick: true, outDir: out, command: 'vitest bench/bench.lab.test.ts', log: (l: string) => lines.push(l) };
    try {
      // Sequentially these take ~4 min on the shared box (ipam's quick mode alone ~2 min, cni ~40 s),
      // so three groups run side by side; quick numbers are only checked for existence.
      const groups = await Promise.all([
        runBench({ ...common, parts: ['bgp', 'cluster'], args: { tables: 'realistic:3000:2' } }),
        runBench({ ...common, parts: ['route-install', 'kernel', 'rib', 'wire', 'cni'], args: {} }),
        runBench({ ...common, parts: ['ipam'], args: {} }),
      ]);
      const outcomes: PartOutcome[] = groups.flat();
      const byPart = new Map(outcomes.map((o) => [o.part, o]));
      for (const o of outcomes) expect(o.error, `${o.part} failed:\n${lines.slice(-30).join('\n')}`).toBeUndefined();
      // the CNI part is a hook: skipped (with its reason) until bench/cni.ts exports cniPart
      for (const o of outcomes.filter((x) => !(x.part === 'cni' && x.skipped))) {
        expect(o.file, `${o.part}: ${o.skipped ?? ''}`).toBeDefined();
        const md = fs.readFileSync(o.file as string, 'utf8');
        expect(md).toMatch(/## Machine\n- \d+ cores/);
        expect(md).toMatch(/\| --- \|/);
        expect(fs.readdirSync(out).some((f) => f.endsWith('.svg') && f.includes(o.part))).toBe(true);
      }
      if (byPart.get('cni')?.skipped) expect(byPart.get('cni')?.skipped).toMatch(/cni/);
      const bgp = byPart.get('bgp')?.report?.data as PassThroughResult[];
      const anchors = new Set(bgp.map((r) => r.target));
      expect(anchors.has('direct')).toBe(true);
      expect(anchors.has('bird')).toBe(true);
      for (const r of bgp) {
        expect(r.failures, `${r.target} ${r.table.kind}`).toEqual([]);
        expect(r.runs.length).toBe(1);
        const run = r.runs[0];
        expect(run.t100).toBeGreaterThan(0);
        expect(run.t99).toBeLessThanOrEqual(run.t100);
        expect(run.withdraw).toBeGreaterThan(0);
        expect(Number.isFinite(run.genSend)).toBe(true);
        if (r.target !== 'direct') {
          expect(run.rssSettled).toBeGreaterThan(0);
          expect(Number.isFinite(run.bytesPerRoute)).toBe(true);
          expect(run.cpu).toBeGreaterThanOrEqual(0);
        }
      }
      // tortie shows up either measured or with the reason it could not run
      const ratios = byPart.get('bgp')?.report?.ratios.join('\n') ?? '';
      expect(anchors.has('tortie') || /not available: /.test(ratios)).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    // nothing of ours survives: no new tbn namespaces, no generator/monitor processes
    // (other live processes, e.g. a parallel CI run of this test, may own tbn runs of their own)
    expect(tbnNamespaces().filter((n) => !before.includes(n) && !ownedByOtherLiveProcess(n))).toEqual([]);
    const peers = (spawnSync('pgrep', ['-f', await peerBundle()], { encoding: 'utf8' }).stdout ?? '').trim();
    expect(peers).toBe('');
  });
});


/** The namespace's lab state file names a live process other than us (its cleanup is its business). */
function ownedByOtherLiveProcess(ns: string): boolean {
  try {
    const st = JSON.parse(fs.readFileSync(`/run/tortie-lab/${ns.split('-')[0]}.json`, 'utf8')) as { pid?: number };
    return st.pid !== undefined && st.pid !== process.pid && fs.existsSync(`/proc/${st.pid}`);
  } catch {
    return false;
  }
}
