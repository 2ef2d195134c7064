// The runner's adapters for part benchmarks other engineers wrote: route-install is called through
// its exported function; rib, wire and ipam only have a CLI, so they run as subprocesses and their
// printed lines are parsed into tables. CNI is a hook: it lights up when bench/cni.ts exists.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markdownTable, textTable } from './report';
import type { BenchPart, PartOptions, PartReport } from './report';
import { renderBarChart } from './report-svg';
import type { Bar } from './report-svg';

const BENCH_DIR = path.dirname(new URL(import.meta.url).pathname);
const REPO = path.resolve(BENCH_DIR, '..');

function runCapture(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out: out.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n') });
    });
  });
}

interface Parsed {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly chartTitle: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  readonly log?: boolean;
}

interface SubprocessSpec {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly nodeArgs?: readonly string[];
  readonly scenario: readonly string[];
  readonly ratios: readonly string[];
  readonly timeoutMs: number;
  parse(out: string): Parsed;
}

/** rib.ts lines: "<scenario>: N routes in X s wall, Y s CPU (…), Z B/route (…)". */
export function parseRibOutput(out: string): Parsed {
  const rows: string[][] = [];
  const bars: Bar[] = [];
  for (const m of out.matchAll(/^(\S.*?): (\d+) routes in ([\d.]+) s wall, ([\d.]+) s CPU \(([\d,]+) routes\/CPU-s\), ([\d.]+) B\/route/gm)) {
    rows.push([m[1], m[2], m[3], m[4], m[5], m[6], (Number(m[6]) / 94).toFixed(2)]);
    bars.push({ label: m[1].slice(0, 28), value: Number(m[6]) });
  }
  bars.push({ label: 'BIRD 2.0.12 (bgp.md §2.3)', value: 94 }, { label: 'FRR 8.4 (bgp.md §2.3)', value: 674 });
  return {
    header: ['scenario', 'routes', 'wall s', 'CPU s', 'routes/CPU-s', 'B/route', '× BIRD B/route (94)'],
    rows, chartTitle: 'RIB memory per route (heap + external delta)', unit: 'B/route', bars,
  };
}

/** wire.ts lines: "<what>   X ms   N prefixes/s   M MB/s". */
export function parseWireOutput(out: string): Parsed {
  const rows: string[][] = [];
  const bars: Bar[] = [];
  for (const m of out.matchAll(/^(\S.*?)\s{2,}([\d.]+) ms\s+([\d,]+) prefixes\/s\s+(\d+) MB\/s/gm)) {
    rows.push([m[1], m[2], m[3], m[4]]);
    bars.push({ label: m[1].slice(0, 30), value: Number(m[3].replace(/,/g, '')) });
  }
  return { header: ['operation', 'ms (best)', 'prefixes/s', 'MB/s'], rows, chartTitle: 'Wire codec throughput', unit: 'prefixes/s', bars, log: true };
}

/** ipam.ts prints an aligned table whose header starts with "datastore". */
export function parseIpamOutput(out: string): Parsed {
  const lines = out.split('\n');
  const h = lines.findIndex((l) => l.startsWith('datastore'));
  if (h < 0) return { header: ['output'], rows: [], chartTitle: 'IPAM', unit: '/s', bars: [] };
  const header = lines[h].split(/\s{2,}/);
  const rows: string[][] = [];
  const bars: Bar[] = [];
  for (const l of lines.slice(h + 1)) {
    const cells = l.split(/\s{2,}/);
    if (cells.length !== header.length) break;
    rows.push(cells);
    bars.push({ label: `${cells[0]} seq`, value: Number(cells[2]) }, { label: `${cells[0]} 8p 4node`, value: Number(cells[5]) });
  }
  return { header, rows, chartTitle: 'IPAM allocations per second', unit: '/s', bars, log: true };
}

function subprocessPart(spec: SubprocessSpec): BenchPart {
  return {
    name: spec.name,
    description: spec.description,
    unavailable: () => (fs.existsSync(path.join(BENCH_DIR, spec.file)) ? undefined : `bench/${spec.file} does not exist`),
    async run(opts: PartOptions): Promise<PartReport> {
      const args = [...(spec.nodeArgs ?? []), '--import', 'tsx', path.join('bench', spec.file), ...(opts.quick ? ['--quick'] : [])];
      opts.log(`  node ${args.join(' ')}`);
      const r = await runCapture(process.execPath, args, spec.timeoutMs);
      if (r.code !== 0) throw new Error(`bench/${spec.file} exited ${r.code}: ${r.out.slice(-1500)}`);
      const p = spec.parse(r.out);
      if (p.rows.length === 0) throw new Error(`bench/${spec.file}: no numbers found in its output:\n${r.out.slice(-1500)}`);
      return {
        part: spec.name,
        title: spec.description,
        scenario: [`\`node ${args.join(' ')}\` (its own CLI; the runner parses the printed lines)`, ...spec.scenario],
        sections: [markdownTable(p.header, p.rows), `<details><summary>raw output</summary>\n\n\`\`\`\n${r.out.trim()}\n\`\`\`\n</details>`],
        ratios: spec.ratios,
        charts: [renderBarChart({ title: p.chartTitle, unit: p.unit, groups: [{ label: spec.name, bars: p.bars }], ...(p.log ? { log: true } : {}) })],
        printed: textTable(p.header, p.rows),
      };
    },
  };
}

export const subprocessParts: readonly BenchPart[] = [
  subprocessPart({
    name: 'rib', file: 'rib.ts', nodeArgs: ['--expose-gc'], timeoutMs: 900_000,
    description: 'RIB: one eBGP peer in, one iBGP peer out, memory and time per route (bench/rib.ts)',
    scenario: ['N IPv4 prefixes (100k quick, 1M full) through import → decision → Adj-RIB-Out encoding, in-process; memory = heapUsed + external after gc'],
    ratios: ['no same-run anchor inside this part: the × BIRD column divides by BIRD 2.0.12\'s 94 B/route from bgp.md §2.3 (this machine); the bgp part measures BIRD\'s B/route in its own run'],
    parse: parseRibOutput,
  }),
  subprocessPart({
    name: 'wire', file: 'wire.ts', timeoutMs: 600_000,
    description: 'Wire codec encode/decode throughput (bench/wire.ts)',
    scenario: ['IPv4 /24 prefixes under one attribute set (100k quick, 1M full), best of 5; see bench/wire.ts'],
    ratios: ['no anchor: codec micro-benchmark (alternatives are compared inside the table: key construction and key writing)'],
    parse: parseWireOutput,
  }),
  subprocessPart({
    name: 'ipam', file: 'ipam.ts', timeoutMs: 900_000,
    description: 'IPAM allocations per second per datastore (bench/ipam.ts)',
    scenario: ['sequential allocations and 8 parallel processes, file store with/without fsync and etcd; see bench/ipam.ts'],
    ratios: ['anchor is each store\'s raw create/s (column 2) measured in the same run: an allocation needs ≥ 2 CAS writes'],
    parse: parseIpamOutput,
  }),
];

export const routeInstallPart: BenchPart = {
  name: 'route-install',
  description: 'Kernel route install/remove: tortie netlink batches vs one `ip -batch` (bench/route-install.ts)',
  unavailable: () => (fs.existsSync(path.join(BENCH_DIR, 'route-install.ts')) ? undefined : 'bench/route-install.ts does not exist'),
  async run(opts: PartOptions): Promise<PartReport> {
    const { runRouteInstallBench, formatRows } = await import('./route-install');
    const counts = opts.quick ? [10_000] : [10_000, 100_000];
    const rows = await runRouteInstallBench({ counts, runs: Math.max(opts.runs, 3), log: opts.log });
    const k = (v: number): string => `${(v / 1000).toFixed(1)}k`;
    const range = (s: { median: number; min: number; max: number }): string => `${k(s.median)} (${k(s.min)}–${k(s.max)})`;
    const header = ['routes', 'tortie install/s', 'ip -batch install/s', 'ratio', 'tortie remove/s', 'ip -batch remove/s', 'ratio', 'tortie nhid install/s'];
    const table = rows.map((r) => [
      String(r.count), range(r.ours.install), range(r.ipBatch.install), r.ratioInstall.toFixed(2),
      range(r.ours.remove), range(r.ipBatch.remove), r.ratioRemove.toFixed(2), range(r.oursNhid.install),
    ]);
    return {
      part: 'route-install',
      title: routeInstallPart.description,
      scenario: [`/32 routes via 198.18.0.2 in a private namespace (tdpb-<pid>), counts ${counts.join(', ')}, ${Math.max(opts.runs, 3)} runs each; wall-clock routes/s, median (min–max); ip -batch includes its spawn`],
      sections: [markdownTable(header, table), '```\n' + formatRows(rows) + '\n```'],
      ratios: rows.flatMap((r) => [
        `${r.count} routes: install tortie / ip -batch ${r.ratioInstall.toFixed(2)}× (wall), ${r.ratioInstallCpu.toFixed(2)}× (CPU)`,
        `${r.count} routes: remove tortie / ip -batch ${r.ratioRemove.toFixed(2)}× (wall), ${r.ratioRemoveCpu.toFixed(2)}× (CPU)`,
      ]),
      charts: [renderBarChart({
        title: 'Route install rate (higher is better)', unit: 'routes/s',
        groups: rows.map((r) => ({
          label: `${r.count} routes`,
          bars: [
            { label: 'tortie netlink', value: r.ours.install.median, min: r.ours.install.min, max: r.ours.install.max },
            { label: 'tortie netlink (nhid)', value: r.oursNhid.install.median, min: r.oursNhid.install.min, max: r.oursNhid.install.max },
            { label: 'ip -batch', value: r.ipBatch.install.median, min: r.ipBatch.install.min, max: r.ipBatch.install.max },
          ],
        })),
      })],
      printed: textTable(header, table),
    };
  },
};

/**
 * The CNI part is the CNI engineer's: when bench/cni.ts exists and exports `cniPart` (a BenchPart),
 * the runner calls it; until then it reports itself as not available.
 */
export const cniPart: BenchPart = {
  name: 'cni',
  description: 'CNI ADD/DEL latency (bench/cni.ts, from the CNI work)',
  unavailable: async () => {
    if (!fs.existsSync(path.join(BENCH_DIR, 'cni.ts'))) return 'bench/cni.ts does not exist yet (hook: export `cniPart: BenchPart` from it)';
    const mod = (await import(path.join(BENCH_DIR, 'cni.ts'))) as { cniPart?: BenchPart };
    return mod.cniPart ? undefined : 'bench/cni.ts does not export `cniPart: BenchPart`';
  },
  async run(opts: PartOptions): Promise<PartReport> {
    const mod = (await import(path.join(BENCH_DIR, 'cni.ts'))) as { cniPart: BenchPart };
    return mod.cniPart.run(opts);
  },
};
