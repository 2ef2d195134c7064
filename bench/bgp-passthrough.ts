// BGP pass-through: generator -> target -> monitor, each in its own network namespace (bgp.md §2.5).
// One run = fresh namespaces and a fresh target; the generator blasts a pre-encoded table, the
// monitor timestamps arrivals; we read the target's RSS and CPU from /proc, then withdraw it all.
// Target "direct" has no daemon: the monitor listens where the target would, which measures the
// harness's own ceiling (if a target's time is close to it, we measured ourselves, not the target).
import { Lab } from '../test/lab';
import type { LabHost } from '../test/lab';
import { PeerChild, peerBundle } from './bgp-child';
import type { PeerEvent } from './bgp-child';
import { UsageSampler, totalCpuSeconds, usage, processTree } from './bgp-proc';
import { LAUNCHERS, TOPOLOGY } from './bgp-targets';
import type { RunningTarget, TargetKind, TargetPeer } from './bgp-targets';
import { formatTableSpec } from './bgp-table';
import type { TableSpec } from './bgp-table';

export type PassTarget = TargetKind | 'direct';

export const LAB_PREFIX = 'tbn';

export interface PassThroughRun {
  /** Seconds from the generator's first byte to 99% / 100% of the prefixes at the monitor. */
  readonly t99: number;
  readonly t100: number;
  /** Seconds the generator needed to hand the whole table to its socket. */
  readonly genSend: number;
  readonly genCpu: number;
  readonly monCpu: number;
  /** Target RSS (bytes, sum over its processes) with sessions up and no routes, peak, and settled after the table. */
  readonly rssIdle: number;
  readonly rssPeak: number;
  readonly rssSettled: number;
  readonly bytesPerRoute: number;
  /** Target CPU seconds from the first UPDATE until the monitor had everything and RSS settled. */
  readonly cpu: number;
  /** Seconds from the first withdrawal UPDATE until the monitor's table was empty. */
  readonly withdraw: number;
  /** CPU seconds used on the box by anything but target, generator and monitor during the announce phase. */
  readonly otherCpu: number;
  readonly targetProcesses: number;
}

export interface PassThroughOptions {
  readonly target: PassTarget;
  readonly table: TableSpec;
  readonly runs: number;
  /** Per phase (announce, withdraw); default scales with the table: 60 s + 250 µs per prefix. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface PassThroughResult {
  readonly target: PassTarget;
  readonly table: TableSpec;
  readonly runs: PassThroughRun[];
  /** One line per failed run (timeouts, session errors). */
  readonly failures: string[];
}

const sec = (ms: number): number => ms / 1000;
const num = (e: PeerEvent, k: string): number => Number(e[k]);

async function topology(lab: Lab): Promise<{ g: LabHost; t: LabHost; m: LabHost }> {
  const [g, t, m] = [await lab.host('g'), await lab.host('t'), await lab.host('m')];
  await lab.link(g, t, { addrA: `${TOPOLOGY.gen.address}/24`, addrB: `${TOPOLOGY.target.toGen}/24` });
  await lab.link(t, m, { addrA: `${TOPOLOGY.target.toMon}/24`, addrB: `${TOPOLOGY.mon.address}/24` });
  return { g, t, m };
}

const PEERS: readonly TargetPeer[] = [
  { name: 'gen', address: TOPOLOGY.gen.address, as: TOPOLOGY.gen.as },
  { name: 'mon', address: TOPOLOGY.mon.address, as: TOPOLOGY.mon.as },
];

/** Waits until two RSS readings 250 ms apart differ by < 1% (at most `maxMs`); returns the last. */
export async function settledRss(sampler: UsageSampler, maxMs = 4000): Promise<number> {
  let prev = sampler.now().rss;
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    const cur = sampler.now().rss;
    if (Math.abs(cur - prev) < prev * 0.01) return cur;
    prev = cur;
  }
  return prev;
}

export async function passThroughOnce(opts: PassThroughOptions): Promise<PassThroughRun> {
  const { table } = opts;
  const n = table.prefixes;
  const timeout = opts.timeoutMs ?? 60_000 + n * 0.25;
  const bundle = await peerBundle();
  const lab = await Lab.create({ prefix: LAB_PREFIX });
  const children: PeerChild[] = [];
  let target: RunningTarget | undefined;
  // stopped in finally: a failed wait must not leave its interval keeping the process alive
  let sampler: UsageSampler | undefined;
  try {
    const { g, t, m } = await topology(lab);
    lab.onCleanup(() => Promise.all(children.map((c) => c.stop())).then(() => undefined));
    const direct = opts.target === 'direct';
    if (!direct) target = await LAUNCHERS[opts.target].start(t, PEERS);
    const monArgs = direct
      ? ['mon', '--local', TOPOLOGY.target.toGen, '--remote', TOPOLOGY.gen.address, '--listen']
      : ['mon', '--local', TOPOLOGY.mon.address, '--remote', TOPOLOGY.target.toMon];
    const mon = PeerChild.start('monitor', direct ? t.netns : m.netns, bundle, [
      ...monArgs, '--as', String(direct ? TOPOLOGY.target.as : TOPOLOGY.mon.as), '--router-id', TOPOLOGY.mon.routerId, '--expect', String(n),
    ]);
    children.push(mon);
    const gen = PeerChild.start('generator', g.netns, bundle, [
      'gen', '--local', TOPOLOGY.gen.address, '--remote', TOPOLOGY.target.toGen, '--as', String(TOPOLOGY.gen.as),
      '--router-id', TOPOLOGY.gen.routerId, '--table', formatTableSpec(table),
    ]);
    children.push(gen);
    await mon.waitFor('monitor session Established', (e) => e.ev === 'established', 60_000);
    await gen.waitFor('generator session Established', (e) => e.ev === 'established', 120_000);
    // let the target finish its session start-up work (EoR, initial dumps) before the baseline
    await new Promise((r) => setTimeout(r, 1000));
    const root = direct ? (mon.pid as number) : target!.process.pid;
    sampler = new UsageSampler(root);
    const idle = sampler.now();
    const monPid = mon.pid as number;
    const genPid = gen.pid as number;
    const helpers0 = usage([...processTree(monPid), ...processTree(genPid)]).cpu;
    const total0 = totalCpuSeconds();
    sampler.start();
    gen.send('send');
    const sent = await gen.waitFor('announce sent', (e) => e.ev === 'sent' && e.phase === 'announce', timeout);
    const m100 = await mon.waitFor(`all ${n} prefixes at the monitor`, (e) => e.ev === 'mark' && e.name === '100', timeout);
    const m99 = await mon.waitFor('99% at the monitor', (e) => e.ev === 'mark' && e.name === '99', 1000);
    const rssSettled = await settledRss(sampler);
    sampler.stop();
    const busy = sampler.now();
    const helpers1 = usage([...processTree(monPid), ...processTree(genPid)]).cpu;
    const total1 = totalCpuSeconds();
    const t0 = num(sent, 't0');
    const monStats = await mon.stats();
    gen.send('withdraw');
    const wsent = await gen.waitFor('withdrawals sent', (e) => e.ev === 'sent' && e.phase === 'withdraw', timeout);
    const empty = await mon.waitFor('monitor table empty after withdrawals', (e) => e.ev === 'mark' && e.name === 'empty', timeout);
    const targetCpu = direct ? 0 : busy.cpu - idle.cpu;
    return {
      t99: sec(num(m99, 't') - t0),
      t100: sec(num(m100, 't') - t0),
      genSend: sec(num(sent, 't1') - t0),
      genCpu: sec(num(sent, 'cpuMs')),
      monCpu: sec(num(monStats, 'cpuMs')),
      rssIdle: idle.rss,
      rssPeak: Math.max(sampler.peakRss, rssSettled),
      rssSettled,
      bytesPerRoute: (rssSettled - idle.rss) / n,
      cpu: targetCpu,
      withdraw: sec(num(empty, 't') - num(wsent, 't0')),
      otherCpu: Math.max(0, total1 - total0 - targetCpu - (helpers1 - helpers0)),
      targetProcesses: direct ? 1 : busy.processes,
    };
  } finally {
    sampler?.stop();
    await Promise.all(children.map((c) => c.stop()));
    await target?.stop();
    await lab.cleanup();
  }
}

export async function passThrough(opts: PassThroughOptions): Promise<PassThroughResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const runs: PassThroughRun[] = [];
  const failures: string[] = [];
  for (let i = 0; i < opts.runs; i++) {
    try {
      const r = await passThroughOnce(opts);
      runs.push(r);
      log(`  ${opts.target} ${formatTableSpec(opts.table)} run ${i + 1}: 99% ${r.t99.toFixed(2)} s, 100% ${r.t100.toFixed(2)} s `
        + `(generator ${r.genSend.toFixed(2)} s), RSS ${(r.rssIdle / 1e6).toFixed(1)} -> ${(r.rssPeak / 1e6).toFixed(1)} peak / ${(r.rssSettled / 1e6).toFixed(1)} MB, `
        + `${r.bytesPerRoute.toFixed(0)} B/route, CPU ${r.cpu.toFixed(2)} s, withdraw ${r.withdraw.toFixed(2)} s, other CPU ${r.otherCpu.toFixed(2)} s`);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      failures.push(`run ${i + 1}: ${msg}`);
      log(`  ${opts.target} ${formatTableSpec(opts.table)} run ${i + 1} FAILED: ${msg}`);
    }
  }
  return { target: opts.target, table: opts.table, runs, failures };
}
