// The "bgp" part of `npm run bench`: pass-through for every target and table, as tables, charts and
// tortie/anchor ratios. Tables: unique /32s (bgperf's shape, comparable with bgp.md §2.3) and the
// seeded realistic table.
import { passThrough } from './bgp-passthrough';
import type { PassTarget, PassThroughResult, PassThroughRun } from './bgp-passthrough';
import { LAUNCHERS, TARGET_KINDS, TOPOLOGY } from './bgp-targets';
import type { TargetKind } from './bgp-targets';
import { REALISTIC_ATTR_SETS, formatTableSpec, parseTableSpec } from './bgp-table';
import type { TableSpec } from './bgp-table';
import { formatSpread, markdownTable, spread, textTable } from './report';
import type { BenchPart, PartOptions, PartReport } from './report';
import { renderBarChart } from './report-svg';
import type { BarGroup } from './report-svg';

const QUICK_TABLES = ['unique:10000', 'realistic:10000:1'];
const FULL_TABLES = ['unique:100000', 'unique:1000000', 'realistic:1000000:1'];

const f2 = (v: number): string => v.toFixed(2);
const f3 = (v: number): string => (v < 1 ? v.toFixed(3) : v.toFixed(2));
const mb = (v: number): string => (v / 1e6).toFixed(1);
const f0 = (v: number): string => v.toFixed(0);

function col(runs: readonly PassThroughRun[], pick: (r: PassThroughRun) => number, fmt: (v: number) => string): string {
  return formatSpread(spread(runs.map(pick)), fmt);
}

/** "2.50×", or why not: CPU is read in 10 ms ticks, so tiny anchors read 0. */
function ratio(a: number, b: number): string {
  return b >= 0.02 ? `${(a / b).toFixed(2)}×` : `n/a (anchor ${b.toFixed(2)} s)`;
}

function label(t: PassTarget): string {
  return t === 'direct' ? 'direct (no target: harness ceiling)' : LAUNCHERS[t].version();
}

const HEADER = ['target', '99% s', '100% s', 'gen send s', 'gen/mon CPU s', 'RSS idle MB', 'RSS peak MB', 'RSS settled MB', 'B/route', 'target CPU s', 'withdraw s', 'other CPU s', 'runs'];

function row(r: PassThroughResult): string[] {
  const rs = r.runs;
  const direct = r.target === 'direct';
  const noRss = (s: string): string => (direct ? '—' : s);
  return [
    label(r.target),
    col(rs, (x) => x.t99, f3),
    col(rs, (x) => x.t100, f3),
    col(rs, (x) => x.genSend, f3),
    `${col(rs, (x) => x.genCpu, f2)} / ${col(rs, (x) => x.monCpu, f2)}`,
    noRss(col(rs, (x) => x.rssIdle, mb)),
    noRss(col(rs, (x) => x.rssPeak, mb)),
    noRss(col(rs, (x) => x.rssSettled, mb)),
    noRss(col(rs, (x) => x.bytesPerRoute, f0)),
    noRss(col(rs, (x) => x.cpu, f2)),
    col(rs, (x) => x.withdraw, f3),
    col(rs, (x) => x.otherCpu, f2),
    `${rs.length}${r.failures.length ? ` (+${r.failures.length} failed)` : ''}`,
  ];
}

function describeTable(s: TableSpec): string {
  if (s.kind === 'unique') return `${s.prefixes.toLocaleString('en')} unique /32s from 100.0.0.0, one attribute set (ORIGIN IGP, AS_PATH ${TOPOLOGY.gen.as}, NEXT_HOP generator), ~800 per 4096-byte UPDATE`;
  return `${s.prefixes.toLocaleString('en')} prefixes /8–/24 in Internet-like shares (62% /24), AS paths of 2–6 hops, up to ${REALISTIC_ATTR_SETS} attribute sets with 0–4 communities (some MED / large communities), neighbours sharing a set in runs of ~2.5 (seed ${s.seed ?? 1})`;
}

export interface BgpPartArgs {
  readonly targets?: readonly PassTarget[];
  readonly tables?: readonly TableSpec[];
  /** Per-phase limit in ms (default: 60 s + 250 µs per prefix). */
  readonly timeoutMs?: number;
}

export function bgpPartArgs(args: Readonly<Record<string, string>>): BgpPartArgs {
  const out: { targets?: PassTarget[]; tables?: TableSpec[]; timeoutMs?: number } = {};
  if (args.timeout) out.timeoutMs = Number(args.timeout) * 1000;
  if (args.targets) out.targets = args.targets.split(',').map((t) => t.trim()) as PassTarget[];
  if (args.tables) out.tables = args.tables.split(',').map((t) => parseTableSpec(t.trim()));
  for (const t of out.targets ?? []) {
    if (t !== 'direct' && !TARGET_KINDS.includes(t)) throw new Error(`unknown target ${t} (have direct, ${TARGET_KINDS.join(', ')})`);
  }
  return out;
}

export async function runBgpPart(opts: PartOptions): Promise<PartReport> {
  const a = bgpPartArgs(opts.args);
  const tables = a.tables ?? (opts.quick ? QUICK_TABLES : FULL_TABLES).map(parseTableSpec);
  const wanted: PassTarget[] = [...(a.targets ?? ['direct', ...TARGET_KINDS])];
  const skipped: string[] = [];
  const targets: PassTarget[] = [];
  for (const t of wanted) {
    const why = t === 'direct' ? undefined : LAUNCHERS[t].unavailable();
    if (why) {
      skipped.push(`${t}: not available: ${why}`);
      opts.log(`bgp: ${t}: not available: ${why}`);
    } else targets.push(t);
  }
  const results: PassThroughResult[] = [];
  for (const table of tables) {
    for (const target of targets) {
      opts.log(`bgp: ${target} ${formatTableSpec(table)} × ${opts.runs}`);
      results.push(await passThrough({ target, table, runs: opts.runs, log: opts.log, ...(a.timeoutMs ? { timeoutMs: a.timeoutMs } : {}) }));
    }
  }
  const sections: string[] = [];
  const printed: string[] = [];
  const charts: BarGroup[] = [];
  const memGroups: BarGroup[] = [];
  const notes: string[] = [];
  for (const table of tables) {
    const rs = results.filter((r) => r.table === table);
    const name = formatTableSpec(table);
    const rows = rs.map(row);
    sections.push(`### ${name}\n${describeTable(table)}\n\n${markdownTable(HEADER, rows)}`);
    printed.push(`bgp pass-through ${name} (median (min–max) of ${opts.runs} runs)`, textTable(HEADER, rows), '');
    charts.push({
      label: name,
      bars: rs.filter((r) => r.runs.length).map((r) => {
        const s = spread(r.runs.map((x) => x.t100));
        return { label: r.target, value: s.median, min: s.min, max: s.max };
      }),
    });
    memGroups.push({
      label: name,
      bars: rs.filter((r) => r.runs.length && r.target !== 'direct').map((r) => {
        const s = spread(r.runs.map((x) => x.bytesPerRoute));
        return { label: r.target, value: s.median, min: s.min, max: s.max };
      }),
    });
    for (const r of rs) {
      for (const f of r.failures) notes.push(`${r.target} ${name} ${f}`);
      const m = spread(r.runs.map((x) => x.genSend / x.t100));
      if (r.target === 'direct' || m.n === 0 || m.median <= 0.8) continue;
      // A target that reads slowly also holds the generator back (TCP backpressure): only when the
      // harness alone (direct) is about as slow is the run harness-bound.
      const ceiling = spread((rs.find((x) => x.target === 'direct')?.runs ?? []).map((x) => x.t100)).median;
      const t100 = spread(r.runs.map((x) => x.t100)).median;
      notes.push(Number.isFinite(ceiling) && ceiling > 0.5 * t100
        ? `${r.target} ${name}: generator busy for ${(m.median * 100).toFixed(0)}% of the time to 100% and the harness alone needs ${ceiling.toFixed(2)} s — harness-bound, not a target number`
        : `${r.target} ${name}: generator busy for ${(m.median * 100).toFixed(0)}% of the time to 100%, but the harness alone needs ${Number.isFinite(ceiling) ? ceiling.toFixed(2) : '?'} s: the target read its input that slowly (backpressure), target-bound`);
    }
  }
  const ratios: string[] = [];
  const tortie = results.filter((r) => r.target === 'tortie' && r.runs.length > 0);
  if (tortie.length === 0) {
    const why = skipped.find((s) => s.startsWith('tortie')) ?? (targets.includes('tortie') ? 'tortie: every run failed' : 'tortie: not selected');
    ratios.push(`no tortie ratios: ${why}`);
  }
  for (const tr of tortie) {
    const med = (r: PassThroughResult, k: keyof PassThroughRun): number => spread(r.runs.map((x) => x[k])).median;
    for (const anchor of results.filter((r) => r.table === tr.table && r.target !== 'tortie' && r.target !== 'direct' && r.runs.length)) {
      ratios.push(`${formatTableSpec(tr.table)} tortie / ${anchor.target}: time to 100% ${(med(tr, 't100') / med(anchor, 't100')).toFixed(2)}×, `
        + `bytes/route ${(med(tr, 'bytesPerRoute') / med(anchor, 'bytesPerRoute')).toFixed(2)}×, CPU ${ratio(med(tr, 'cpu'), med(anchor, 'cpu'))}, `
        + `withdraw ${ratio(med(tr, 'withdraw'), med(anchor, 'withdraw'))}`);
    }
  }
  const scenario = [
    'three network namespaces (prefix `tbn`): generator 198.18.1.2 AS 65001 — target 198.18.1.1 / 198.18.2.1 AS 65000 — monitor 198.18.2.2 AS 65002, veth links; eBGP both sides, target passive',
    'generator and monitor are ours (bench/bgp-peer.ts, bundled, one Node process each under `ip netns exec`): the generator pre-encodes the table with bgpd/wire and writes it as fast as the socket drains; the monitor decodes with MessageReader and keeps a set of prefixes',
    'times are from the generator\'s first UPDATE byte to the monitor holding 99% / 100% of the prefixes; "gen send" is when the generator handed its last byte to the kernel (close to "100%" would mean generator-bound); withdraw = first withdrawal byte to an empty monitor table',
    'RSS = sum of VmRSS over the target\'s process tree (/proc); idle = sessions up, no routes; settled = after 100%, once two readings 250 ms apart differ by < 1%; B/route = (settled − idle) / prefixes; target CPU = utime+stime from the first UPDATE to settled',
    '"other CPU" = CPU used on the box by anything but target, generator and monitor during the announce phase (contention from other work; high values make that run\'s times suspect)',
    'targets: BIRD (kernel protocol absent, import/export all), FRR bgpd -Z -S -n (no zebra, coalesce-time 0, advertisement-interval 0), OpenBGPD (fib-update no, allow from/to any), GoBGP (accept-route defaults, log level warn), tortie dist/bgpd (export-all policy); hold time 240 s',
    `runs per cell: ${opts.runs} (median — the lower middle value for even counts, so always a measured run — and min–max); fresh namespaces and a fresh target per run`,
    ...skipped.map((s) => `skipped — ${s}`),
  ];
  if (notes.length) sections.push(['### Notes', ...notes.map((n) => `- ${n}`)].join('\n'));
  printed.push(...notes, ...ratios);
  return {
    part: 'bgp',
    title: 'BGP pass-through: generator → target → monitor',
    scenario,
    sections,
    ratios,
    charts: [
      renderBarChart({ title: 'Time to 100% of the prefixes at the monitor', unit: 's', groups: charts, log: true }),
      renderBarChart({ title: 'Target memory per route ((settled − idle RSS) / routes)', unit: 'B/route', groups: memGroups, log: true }),
    ],
    printed: printed.join('\n'),
    data: results,
  };
}

export const bgpPart: BenchPart = {
  name: 'bgp',
  description: 'BGP pass-through generator → target → monitor (bird, frr, openbgpd, gobgp, tortie)',
  run: runBgpPart,
};

