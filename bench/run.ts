// `npm run bench [-- PART...] [--quick] [--runs N] [--out DIR] [--tag NAME] [--targets a,b] [--tables spec,spec] [--timeout SECONDS]`
// Runs the benchmark parts, prints each table and writes bench/results/<date>-<part>[-quick].md
// (or -<tag> before .md, so runs with other sizes do not overwrite each other) with a hand-rendered
// SVG chart beside it. Parts: see PARTS below (default: all that exist).
import * as path from 'node:path';
import { bgpPart } from './bgp-part';
import { clusterPart } from './bgp-cluster';
import { kernelPart } from './bgp-kernel';
import { subprocessParts, routeInstallPart, cniPart } from './report-parts';
import { writeReport } from './report';
import type { BenchPart, PartReport } from './report';

export const PARTS: readonly BenchPart[] = [bgpPart, clusterPart, routeInstallPart, kernelPart, ...subprocessParts, cniPart];

export interface RunOptions {
  readonly parts: readonly string[];
  readonly quick: boolean;
  readonly runs?: number;
  readonly outDir: string;
  readonly args: Readonly<Record<string, string>>;
  readonly command: string;
  readonly log?: (line: string) => void;
}

export interface PartOutcome {
  readonly part: string;
  /** Path of the written report; undefined when the part was skipped or failed. */
  readonly file?: string;
  readonly report?: PartReport;
  readonly skipped?: string;
  readonly error?: string;
}

export function parseArgv(argv: readonly string[]): Omit<RunOptions, 'command' | 'log'> {
  const parts: string[] = [];
  const args: Record<string, string> = {};
  let quick = false;
  let runs: number | undefined;
  let outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'results');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--out') outDir = path.resolve(argv[++i] ?? '.');
    else if (a.startsWith('--')) args[a.slice(2)] = argv[++i] ?? '';
    else parts.push(a);
  }
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0)) throw new Error('--runs needs a positive integer');
  for (const p of parts) if (!PARTS.some((x) => x.name === p)) throw new Error(`unknown part ${p} (have ${PARTS.map((x) => x.name).join(', ')})`);
  return { parts, quick, ...(runs === undefined ? {} : { runs }), outDir, args };
}

export async function runBench(o: RunOptions): Promise<PartOutcome[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const selected = o.parts.length ? PARTS.filter((p) => o.parts.includes(p.name)) : PARTS;
  const outcomes: PartOutcome[] = [];
  for (const part of selected) {
    const why = await part.unavailable?.();
    if (why) {
      log(`== ${part.name}: not available: ${why}`);
      outcomes.push({ part: part.name, skipped: why });
      continue;
    }
    log(`== ${part.name}: ${part.description}${o.quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    try {
      const report = await part.run({ quick: o.quick, runs: o.runs ?? (o.quick ? 1 : 3), log, args: o.args });
      report.seconds = (performance.now() - t0) / 1000;
      const file = writeReport(o.outDir, report, { quick: o.quick, command: o.command, ...(o.args.tag ? { tag: o.args.tag } : {}) });
      log(report.printed);
      log(`-> ${file} (${report.seconds.toFixed(0)} s)`);
      outcomes.push({ part: part.name, file, report });
    } catch (err) {
      const msg = (err as Error).stack ?? String(err);
      log(`== ${part.name} FAILED: ${msg}`);
      outcomes.push({ part: part.name, error: (err as Error).message });
    }
  }
  return outcomes;
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  const argv = process.argv.slice(2);
  const opts = parseArgv(argv);
  const outcomes = await runBench({ ...opts, command: `npm run bench -- ${argv.join(' ')}`.trim() });
  const failed = outcomes.filter((o) => o.error);
  console.log(`\nbench: ${outcomes.filter((o) => o.file).length} written, ${outcomes.filter((o) => o.skipped).length} not available, ${failed.length} failed`);
  process.exitCode = failed.length ? 1 : 0;
}
