// Part 3 (kernel routes): BIRD's kernel protocol as the anchor for getting a BGP table into the FIB.
// BIRD holds N static /32s (the route-install part's table) and its kernel protocol exports them
// into a namespace's FIB; we time enable → N routes present and disable → 0, reading the FIB with
// our netlink dump, and run tortie's batched install (bench/route-install.ts) on the same table in
// the same run for the ratio.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, run, waitFor } from '../test/lab';
import { Netlink } from '../dataplane/index';
import { LAB_PREFIX } from './bgp-passthrough';
import { UsageSampler } from './bgp-proc';
import { formatSpread, markdownTable, spread, textTable } from './report';
import type { BenchPart, PartOptions, PartReport } from './report';
import { renderBarChart } from './report-svg';

/** rtnetlink protocol number BIRD writes its routes with (RTPROT_BIRD). */
const RTPROT_BIRD = 12;
const GW = '198.18.0.2';

/** Same destinations as bench/route-install.ts: 10.64.0.0 upward, /32. */
function dst(i: number): string {
  return `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;
}

export interface KernelRun {
  /** routes/s from `birdc enable` to all N routes in the FIB. */
  readonly install: number;
  /** routes/s from `birdc disable` to none left. */
  readonly remove: number;
  /** BIRD's CPU seconds for install + remove. */
  readonly cpu: number;
}

export async function birdKernelOnce(n: number): Promise<KernelRun> {
  const lab = await Lab.create({ prefix: LAB_PREFIX });
  let nl: Netlink | undefined;
  try {
    const k = await lab.host('k');
    const x = await lab.host('x');
    await lab.link(k, x, { addrA: '198.18.0.1/24', addrB: `${GW}/24` });
    const dir = k.dir('bird');
    fs.writeFileSync(path.join(dir, 'static.inc'), Array.from({ length: n }, (_, i) => `  route ${dst(i)} via ${GW};\n`).join(''));
    fs.writeFileSync(path.join(dir, 'bird.conf'), [
      'router id 198.18.0.1;',
      'log stderr { warning, error, fatal, bug };',
      'protocol device { scan time 10; }',
      // learn/scan off: we only measure export; BIRD writes routes one netlink request at a time
      'protocol kernel { ipv4 { export all; import none; }; scan time 60; }',
      'protocol static bulk { disabled; ipv4;',
      `include "${path.join(dir, 'static.inc')}";`,
      '}',
    ].join('\n') + '\n');
    const ctl = path.join(dir, 'bird.ctl');
    const bird = k.spawn('bird', 'bird', ['-f', '-c', path.join(dir, 'bird.conf'), '-s', ctl, '-P', path.join(dir, 'bird.pid')]);
    const birdc = async (...args: string[]): Promise<string> => (await run('birdc', ['-s', ctl, ...args], { timeoutMs: 30_000 })).stdout;
    await waitFor(async () => bird.running && (await birdc('show', 'status')).includes('Daemon is up'), { what: 'BIRD up', timeoutMs: 20_000 });
    nl = Netlink.open({ netns: k.netns });
    const netlink = nl;
    const count = (): number => netlink.routes.dump({ family: 4, protocol: RTPROT_BIRD, names: false }).length;
    const sampler = new UsageSampler(bird.pid);
    const cpu0 = sampler.now().cpu;
    let t = performance.now();
    await birdc('enable', 'bulk');
    await waitFor(() => count() >= n, { what: `${n} BIRD routes in the FIB`, timeoutMs: 120_000, intervalMs: 20 });
    const install = n / ((performance.now() - t) / 1000);
    t = performance.now();
    await birdc('disable', 'bulk');
    await waitFor(() => count() === 0, { what: 'BIRD routes gone from the FIB', timeoutMs: 120_000, intervalMs: 20 });
    const remove = n / ((performance.now() - t) / 1000);
    return { install, remove, cpu: sampler.now().cpu - cpu0 };
  } finally {
    nl?.close();
    await lab.cleanup();
  }
}

export async function runKernelPart(opts: PartOptions): Promise<PartReport> {
  const { runRouteInstallBench } = await import('./route-install');
  const counts = opts.quick ? [10_000] : [10_000, 100_000];
  const runs = Math.max(opts.runs, 3);
  const header = ['routes', 'BIRD kernel install/s', 'tortie install/s', 'tortie / BIRD', 'BIRD kernel remove/s', 'tortie remove/s', 'tortie / BIRD', 'BIRD CPU s'];
  const rows: string[][] = [];
  const ratios: string[] = [];
  const groups = [];
  const k = (v: number): string => `${(v / 1000).toFixed(1)}k`;
  for (const n of counts) {
    const birdRuns: KernelRun[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await birdKernelOnce(n);
      birdRuns.push(r);
      opts.log(`  BIRD kernel export ${n} run ${i + 1}: install ${k(r.install)}/s, remove ${k(r.remove)}/s, CPU ${r.cpu.toFixed(2)} s`);
    }
    const [ours] = await runRouteInstallBench({ counts: [n], runs, log: opts.log });
    const bi = spread(birdRuns.map((r) => r.install));
    const br = spread(birdRuns.map((r) => r.remove));
    rows.push([
      String(n), formatSpread(bi, k), formatSpread(spread(ours.ours.install.runs), k), (ours.ours.install.median / bi.median).toFixed(2),
      formatSpread(br, k), formatSpread(spread(ours.ours.remove.runs), k), (ours.ours.remove.median / br.median).toFixed(2),
      formatSpread(spread(birdRuns.map((r) => r.cpu)), (v) => v.toFixed(2)),
    ]);
    ratios.push(`${n} routes: install tortie / BIRD kernel ${(ours.ours.install.median / bi.median).toFixed(2)}×, remove ${(ours.ours.remove.median / br.median).toFixed(2)}× (routes/s, higher = tortie faster)`);
    groups.push({
      label: `${n} routes, install`,
      bars: [
        { label: 'tortie netlink', value: ours.ours.install.median, min: ours.ours.install.min, max: ours.ours.install.max },
        { label: 'BIRD kernel proto', value: bi.median, min: bi.min, max: bi.max },
        { label: 'ip -batch', value: ours.ipBatch.install.median, min: ours.ipBatch.install.min, max: ours.ipBatch.install.max },
      ],
    });
  }
  return {
    part: 'kernel',
    title: 'Kernel routes: BIRD kernel protocol export vs tortie netlink batches',
    scenario: [
      `N /32 static routes (10.64.0.0 upward) via ${GW} in BIRD (\`protocol static bulk\`, disabled at start) exported by \`protocol kernel { ipv4 { export all; }; }\` into a namespace's FIB`,
      'install = `birdc enable bulk` until our netlink dump shows N routes with protocol 12 (bird); remove = `birdc disable bulk` until none (polled every 20 ms, which costs some CPU)',
      `tortie = bench/route-install.ts on the same destinations, same run (its own namespace); ${runs} runs each, routes/s median (min–max)`,
      `counts: ${counts.join(', ')}`,
    ],
    sections: [markdownTable(header, rows)],
    ratios,
    charts: [renderBarChart({ title: 'Routes into the FIB per second (higher is better)', unit: 'routes/s', groups })],
    printed: [textTable(header, rows), ...ratios].join('\n'),
  };
}

export const kernelPart: BenchPart = {
  name: 'kernel',
  description: 'Kernel routes: BIRD kernel protocol exporting a static table vs tortie netlink batches',
  run: runKernelPart,
};
