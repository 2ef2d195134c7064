// What every benchmark report carries (machine, versions, scenario, tables, chart, ratios) and the
// writer for bench/results/<date>-<part>.md (+ .svg beside it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Median (the lower middle for even counts, so it is always a measured value) and the range. */
export function spread(values: readonly number[]): Spread {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: s[Math.floor((s.length - 1) / 2)], min: s[0], max: s[s.length - 1], n: s.length };
}

/** "1.23 (1.10–1.40)"; just the value for one run; "n/a" for none. */
export function formatSpread(s: Spread, fmt: (v: number) => string): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Plain-text table for the terminal: columns padded to their widest cell. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly loadAvg: readonly number[];
}

export function machineInfo(): MachineInfo {
  let osName = os.type();
  try {
    osName = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    // keep os.type()
  }
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    ramGiB: os.totalmem() / 2 ** 30,
    kernel: os.release(),
    os: osName,
    loadAvg: os.loadavg(),
  };
}

function firstLine(cmd: string, args: readonly string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0];
}

/** Versions of everything a report may mention; missing tools are left out. */
export function versions(): Record<string, string> {
  const v: Record<string, string> = { node: process.version };
  const probes: Array<[string, string, string[], (s: string) => string]> = [
    ['tortie', 'git', ['rev-parse', '--short', 'HEAD'], (s) => `git ${s}`],
    ['bird', 'bird', ['--version'], (s) => s.replace(/^BIRD version /, '')],
    ['frr', '/usr/lib/frr/bgpd', ['--version'], (s) => s.replace(/^bgpd version /, '')],
    ['gobgp', 'gobgpd', ['--version'], (s) => s.replace(/^gobgpd version /, '')],
    ['openbgpd', '/usr/sbin/bgpd', ['-V'], (s) => s.replace(/^OpenBGPD /, '')],
    ['iproute2', 'ip', ['-V'], (s) => /iproute2-([\w.]+)/.exec(s)?.[1] ?? s],
    ['etcd', 'etcd', ['--version'], (s) => s.replace(/^etcd Version: /, '')],
  ];
  for (const [name, cmd, args, clean] of probes) {
    const line = firstLine(cmd, args);
    if (line) v[name] = clean(line);
  }
  return v;
}

export interface PartReport {
  /** Short name used in the file name: "bgp", "route-install", ... */
  readonly part: string;
  readonly title: string;
  /** The exact scenario, one bullet per line. */
  readonly scenario: readonly string[];
  /** Markdown sections (tables with their own headings) in order. */
  readonly sections: readonly string[];
  /** "tortie / anchor" lines, measured in the same run (or why there are none). */
  readonly ratios: readonly string[];
  readonly charts: readonly string[];
  /** What to print on the terminal (tables as text). */
  readonly printed: string;
  /** Wall time of the part, seconds. */
  seconds?: number;
  /** The part's structured results (e.g. PassThroughResult[] for bgp), for callers such as tests. */
  readonly data?: unknown;
}

/** Options every part gets from the runner. */
export interface PartOptions {
  readonly quick: boolean;
  readonly runs: number;
  readonly log: (line: string) => void;
  /** Free-form extra arguments after the part name (e.g. --targets for bgp). */
  readonly args: Readonly<Record<string, string>>;
}

/** A part of the benchmark the runner can call; a future bench/cni.ts exports one as `cniPart`. */
export interface BenchPart {
  readonly name: string;
  readonly description: string;
  /** undefined when runnable, else why not (the runner prints "not available: <why>"). */
  unavailable?(): string | undefined | Promise<string | undefined>;
  run(opts: PartOptions): Promise<PartReport>;
}

export function reportStamp(d = new Date()): string {
  return d.toISOString().slice(0, 10);
}

/** Writes `<dir>/<date>-<part>[-<tag>][-quick].md` and one .svg per chart beside it; returns the .md path. */
export function writeReport(dir: string, r: PartReport, opts: { quick: boolean; command: string; date?: Date; tag?: string }): string {
  fs.mkdirSync(dir, { recursive: true });
  const date = opts.date ?? new Date();
  const base = `${reportStamp(date)}-${r.part}${opts.tag ? `-${opts.tag}` : ''}${opts.quick ? '-quick' : ''}`;
  const m = machineInfo();
  const v = versions();
  const chartLinks: string[] = [];
  r.charts.forEach((svg, i) => {
    const name = `${base}${r.charts.length > 1 ? `-${i + 1}` : ''}.svg`;
    fs.writeFileSync(path.join(dir, name), svg);
    chartLinks.push(`![chart ${i + 1}](${name})`);
  });
  const md = [
    `# ${r.title}`,
    '',
    `Run ${date.toISOString()} with \`${opts.command}\`${r.seconds !== undefined ? ` (took ${r.seconds.toFixed(0)} s)` : ''}.`,
    '',
    '## Machine',
    `- ${m.cores} cores (${m.cpuModel}), ${m.ramGiB.toFixed(1)} GiB RAM, kernel ${m.kernel}, ${m.os}`,
    `- load average at the end: ${m.loadAvg.map((x) => x.toFixed(2)).join(' ')} (a shared box: absolute times are noisy, compare ratios)`,
    `- versions: ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(', ')}`,
    '',
    '## Scenario',
    ...r.scenario.map((s) => `- ${s}`),
    '',
    '## Results',
    ...r.sections.flatMap((s) => [s, '']),
    '## Ratios (tortie / anchor, same run)',
    ...(r.ratios.length ? r.ratios.map((s) => `- ${s}`) : ['- none']),
    '',
    ...(chartLinks.length ? ['## Chart', ...chartLinks, ''] : []),
  ].join('\n');
  const file = path.join(dir, `${base}.md`);
  fs.writeFileSync(file, md);
  return file;
}
