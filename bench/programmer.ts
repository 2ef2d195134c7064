// Route programmer full sync vs `ip -batch` with the same routes, same run.
// Run: npx tsx bench/programmer.ts [--quick]   (root; creates and deletes netns tpgb-<pid>)
// Scenario: N remote /26 blocks, encap none, spread over 8 next hops on one underlay veth, proto 201.
import { spawnSync } from 'node:child_process';
import { Netlink, RTPROT_TORTIE } from '../dataplane/index';
import type { RouteOp } from '../dataplane/index';
import { RouteProgrammer } from '../dataplane/programmer/index';
import type { RemoteRoute } from '../dataplane/programmer/index';
import { markdownTable, textTable } from './report';
import { ipBatch, stats as stat, type RateStats } from './route-install';
import type { BenchPart, PartOptions, PartReport } from './report';
import { renderBarChart } from './report-svg';

/** median, min, max of a set of runs (the same shape as route-install's). */
export type Stat = RateStats;

export interface ProgrammerBenchRow {
  count: number;
  /** routes/s: empty kernel → start() + flushed() (devices, dump, diff, batched adds) */
  fullSync: Stat;
  /** routes/s: one `ip -n NS -batch -` child adding the same routes (spawn included) */
  ipBatch: Stat;
  /** ms: a new instance over the installed routes (dump + compare, no ops) */
  adoptMs: Stat;
  /** routes/s: every route moved to another next hop (replaceAll → N replaces) */
  changeAll: Stat;
  /** longest event-loop stall seen during the full syncs, ms */
  maxLoopStallMs: number;
  /** same during change-all (the programmer's monitor decodes the burst of its own route events) */
  maxChangeStallMs: number;
  /** fullSync / ipBatch, medians */
  ratio: number;
  /** routes per CPU second of the installing process (kernel route work happens inside its sends):
   *  steadier than wall time on the shared box */
  fullSyncCpu: Stat;
  ipBatchCpu: Stat;
  ratioCpu: number;
}

export interface ProgrammerBenchOptions {
  counts?: number[];
  runs?: number;
  log?: (line: string) => void;
}

const DEV = 'tpgb0';
const gateways = Array.from({ length: 8 }, (_, i) => `198.18.0.${i + 2}`);

function block(i: number): string {
  const v = (10 << 24) + (64 << 16) + i * 64; // 10.64.0.0 + i × /26
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/26`;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Longest gap between 1 ms timer ticks while fn runs: how long the event loop was blocked. */
async function withStallProbe<T>(fn: () => Promise<T>): Promise<{ value: T; maxStallMs: number }> {
  let last = performance.now();
  let max = 0;
  const t = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
  }, 1);
  try {
    const value = await fn();
    return { value, maxStallMs: Math.max(max, performance.now() - last) };
  } finally {
    clearInterval(t);
  }
}

export async function runProgrammerBench(opts: ProgrammerBenchOptions = {}): Promise<ProgrammerBenchRow[]> {
  const counts = opts.counts ?? [10_000, 100_000];
  const runs = opts.runs ?? 3;
  const log = opts.log ?? ((l: string) => console.log(l));
  const ns = `tpgb-${process.pid}`;
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  if (spawnSync('ip', ['netns', 'add', ns]).status !== 0) throw new Error(`cannot create netns ${ns} (root needed)`);
  const nl = Netlink.open({ netns: ns });
  try {
    nl.links.createVeth({ name: DEV, peerName: 'tpgb1' });
    for (const l of ['lo', DEV, 'tpgb1']) nl.links.setUp(l);
    nl.addresses.add({ dev: DEV, address: '198.18.0.1/24' });
    const node = { underlayDev: DEV, address: '198.18.0.1/24' };
    const count = (): number => nl.routes.dump({ family: 4, protocol: RTPROT_TORTIE, names: false }).length;
    const clear = (): void => {
      const dels: RouteOp[] = nl.routes.dump({ family: 4, protocol: RTPROT_TORTIE, names: false })
        .map((r) => ({ op: 'del', route: { dst: r.dst, protocol: RTPROT_TORTIE } }));
      nl.routes.batch(dels);
      if (count() !== 0) throw new Error('could not clear routes');
    };
    const rows: ProgrammerBenchRow[] = [];
    for (const n of counts) {
      const input = (shift: number): RemoteRoute[] => Array.from({ length: n }, (_, i) => ({
        prefix: block(i), encap: 'none' as const, nextHops: [{ address: gateways[(i + shift) % gateways.length] }],
      }));
      const first = input(0);
      const second = input(1);
      const lines = first.map((r) => `route add ${r.prefix} via ${r.nextHops[0].address} dev ${DEV} proto ${RTPROT_TORTIE}\n`).join('');
      const full: number[] = [];
      const fullCpu: number[] = [];
      const ipbCpu: number[] = [];
      const ipb: number[] = [];
      const adopt: number[] = [];
      const change: number[] = [];
      let maxStall = 0;
      let maxChangeStall = 0;
      // run -1 warms up (JIT, first socket setns) and is not recorded
      for (let run = -1; run < runs; run++) {
        clear();
        const p = new RouteProgrammer({ netns: ns, node, resyncIntervalMs: 0 });
        p.replaceAll({ remotes: first });
        const t0 = performance.now();
        const c0 = cpuMs();
        const { maxStallMs } = await withStallProbe(async () => {
          await p.start();
          await p.flushed();
        });
        const tFull = performance.now() - t0;
        const cFull = cpuMs() - c0;
        if (run >= 0) maxStall = Math.max(maxStall, maxStallMs);
        if (count() !== n || p.counters.routeAdds !== n) throw new Error(`programmer: ${count()}/${n} routes, ${JSON.stringify(p.counters)}`);
        await p.close();
        // restart over the installed routes
        const q = new RouteProgrammer({ netns: ns, node, resyncIntervalMs: 0 });
        q.replaceAll({ remotes: first });
        let t = performance.now();
        await q.start();
        await q.flushed();
        const tAdopt = performance.now() - t;
        if (q.counters.adopted !== n || q.counters.routeAdds + q.counters.routeReplaces + q.counters.routeDels !== 0) {
          throw new Error(`adopt: ${JSON.stringify(q.counters)}`);
        }
        t = performance.now();
        const changed = await withStallProbe(async () => {
          q.replaceAll({ remotes: second });
          await q.flushed();
        });
        const tChange = performance.now() - t;
        if (run >= 0) maxChangeStall = Math.max(maxChangeStall, changed.maxStallMs);
        if (q.counters.routeReplaces !== n) throw new Error(`change: ${JSON.stringify(q.counters)}`);
        await q.close();
        clear();
        t = performance.now();
        const cIp = (await ipBatch(ns, lines)) * 1000;
        const tIp = performance.now() - t;
        if (count() !== n) throw new Error(`ip -batch: ${count()}/${n} routes`);
        if (run < 0) continue;
        fullCpu.push(n / (cFull / 1000));
        ipbCpu.push(n / (Math.max(cIp, 1) / 1000));
        full.push(n / (tFull / 1000));
        ipb.push(n / (tIp / 1000));
        adopt.push(tAdopt);
        change.push(n / (tChange / 1000));
        log(`  run ${run + 1} n=${n}: programmer full sync ${tFull.toFixed(0)} ms, cpu ${cFull.toFixed(0)} ms (loop stall max ${maxStallMs.toFixed(1)} ms)`
          + ` | ip -batch ${tIp.toFixed(0)} ms, cpu ${cIp.toFixed(0)} ms | adopt ${tAdopt.toFixed(0)} ms | change all ${tChange.toFixed(0)} ms (loop stall max ${changed.maxStallMs.toFixed(1)} ms)`);
      }
      clear();
      const f = stat(full);
      const b = stat(ipb);
      const fc = stat(fullCpu);
      const bc = stat(ipbCpu);
      rows.push({ count: n, fullSync: f, ipBatch: b, fullSyncCpu: fc, ipBatchCpu: bc, ratioCpu: fc.median / bc.median, adoptMs: stat(adopt), changeAll: stat(change), maxLoopStallMs: maxStall, maxChangeStallMs: maxChangeStall, ratio: f.median / b.median });
    }
    return rows;
  } finally {
    nl.close();
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
}

const k = (x: number): string => `${(x / 1000).toFixed(1)}k`;
const rate = (s: Stat): string => `${k(s.median)}/s (${k(s.min)}–${k(s.max)})`;

export function formatProgrammerRows(rows: ProgrammerBenchRow[]): string {
  const out = ['routes  | programmer full sync   | ip -batch add          | ratio | adopt (restart)  | change all (replace)   | loop stall max'];
  for (const r of rows) {
    out.push([
      String(r.count).padEnd(7), rate(r.fullSync).padEnd(22), rate(r.ipBatch).padEnd(22), r.ratio.toFixed(2).padEnd(5),
      `${r.adoptMs.median.toFixed(0)} ms (${r.adoptMs.min.toFixed(0)}–${r.adoptMs.max.toFixed(0)})`.padEnd(16),
      rate(r.changeAll).padEnd(22), `${r.maxLoopStallMs.toFixed(1)} ms sync, ${r.maxChangeStallMs.toFixed(1)} ms change`,
    ].join(' | '));
  }
  out.push('', 'per CPU second (user+sys of the installing process):');
  for (const r of rows) {
    out.push(`${String(r.count).padEnd(7)} | programmer ${rate(r.fullSyncCpu)} | ip -batch ${rate(r.ipBatchCpu)} | ratio ${r.ratioCpu.toFixed(2)}`);
  }
  return out.join('\n');
}

/** For bench/run.ts: `npm run bench -- programmer [--quick]` once this is listed in PARTS. */
export const programmerPart: BenchPart = {
  name: 'programmer',
  description: 'Route programmer full sync vs one `ip -batch` with the same routes (bench/programmer.ts)',
  unavailable: () => (process.getuid?.() === 0 ? undefined : 'needs root (network namespace)'),
  async run(opts: PartOptions): Promise<PartReport> {
    const counts = opts.quick ? [10_000] : [10_000, 100_000];
    const runs = Math.max(opts.runs, 3);
    const rows = await runProgrammerBench({ counts, runs, log: opts.log });
    const header = ['routes', 'programmer full sync/s', 'ip -batch add/s', 'ratio', 'per CPU-s ratio', 'restart adopt', 'change all/s'];
    const table = rows.map((r) => [
      String(r.count), rate(r.fullSync), rate(r.ipBatch), r.ratio.toFixed(2), r.ratioCpu.toFixed(2),
      `${r.adoptMs.median.toFixed(0)} ms`, rate(r.changeAll),
    ]);
    return {
      part: 'programmer',
      title: programmerPart.description,
      scenario: [
        `N /26 blocks (${counts.join(', ')}), encap none, 8 next hops on one veth, proto ${RTPROT_TORTIE}, private netns tpgb-<pid>`,
        `programmer: empty table → start() + flushed() (devices, dump, diff, batched adds); ip -batch: one child adding the same routes, spawn included`,
        `${runs} runs after a warm-up, median (min–max)`,
      ],
      sections: [markdownTable(header, table), '```\n' + formatProgrammerRows(rows) + '\n```'],
      ratios: rows.map((r) => `${r.count} routes: programmer / ip -batch ${r.ratio.toFixed(2)}× (wall), ${r.ratioCpu.toFixed(2)}× (CPU)`),
      charts: [renderBarChart({
        title: 'Full sync rate (higher is better)', unit: 'routes/s',
        groups: rows.map((r) => ({
          label: `${r.count} routes`,
          bars: [
            { label: 'tortie programmer', value: r.fullSync.median, min: r.fullSync.min, max: r.fullSync.max },
            { label: 'ip -batch', value: r.ipBatch.median, min: r.ipBatch.min, max: r.ipBatch.max },
          ],
        })),
      })],
      printed: textTable(header, table),
      data: rows,
    };
  },
};

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const quick = process.argv.includes('--quick');
  const rows = await runProgrammerBench({ counts: quick ? [10_000] : [10_000, 100_000], runs: 3 });
  console.log(`programmer: N /26 blocks, encap none, 8 next hops, proto ${RTPROT_TORTIE}; 3 runs after 1 warm-up, median (min–max)`);
  console.log(formatProgrammerRows(rows));
}
