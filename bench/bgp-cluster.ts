// Cluster shapes (issue 7 part 2), seen from one daemon: a node in a Calico-style iBGP full mesh
// (P peers × K pod blocks each; the monitor is an eBGP peer, since iBGP-learned routes are not
// passed on to other iBGP peers), and a route reflector with P clients × K blocks (the monitor is
// one more client; every client must end up with everybody else's blocks). All P sessions come
// from one generator process with P addresses on its link. Any target with rrClient support works;
// only BIRD is exercised today, tortie needs its daemon runtime.
import { Lab, run } from '../test/lab';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PeerChild, peerBundle } from './bgp-child';
import type { PeerEvent } from './bgp-child';
import { LAB_PREFIX, settledRss } from './bgp-passthrough';
import { UsageSampler, processTree, totalCpuSeconds, usage } from './bgp-proc';
import { LAUNCHERS, TOPOLOGY } from './bgp-targets';
import type { RunningTarget, TargetKind, TargetPeer } from './bgp-targets';
import { addIPv4 } from './bgp-table';
import { formatSpread, markdownTable, spread, textTable } from './report';
import type { BenchPart, PartOptions, PartReport } from './report';
import { renderBarChart } from './report-svg';
import type { Bar, BarGroup } from './report-svg';

export interface ClusterShape {
  readonly kind: 'mesh' | 'rr';
  readonly peers: number;
  readonly perPeer: number;
}

export interface ClusterRun {
  /** Seconds from the generator starting its P connections to all P sessions Established. */
  readonly establish: number;
  /** Seconds from the first UPDATE to the monitor holding all P×K blocks. */
  readonly t100: number;
  /** rr only: seconds from the first UPDATE until every client holds the other clients' blocks. */
  readonly allClients?: number;
  readonly rssIdle: number;
  readonly rssSettled: number;
  readonly cpu: number;
  readonly otherCpu: number;
}

const FIRST_PEER = '198.18.1.10';
const num = (e: PeerEvent, k: string): number => Number(e[k]);

export function formatShape(s: ClusterShape): string {
  return s.kind === 'mesh' ? `mesh ${s.peers} peers × ${s.perPeer}` : `rr ${s.peers} clients × ${s.perPeer}`;
}

export async function clusterOnce(targetKind: TargetKind, shape: ClusterShape, timeoutMs = 120_000): Promise<ClusterRun> {
  if (shape.peers > 200) throw new Error('cluster shapes: at most 200 peers (addresses 198.18.1.10–209)');
  const bundle = await peerBundle();
  const lab = await Lab.create({ prefix: LAB_PREFIX });
  const children: PeerChild[] = [];
  let target: RunningTarget | undefined;
  // stopped in finally: a failed wait must not leave its interval keeping the process alive
  let sampler: UsageSampler | undefined;
  try {
    const [g, t, m] = [await lab.host('g'), await lab.host('t'), await lab.host('m')];
    const link = await lab.link(g, t, { addrA: `${TOPOLOGY.gen.address}/24`, addrB: `${TOPOLOGY.target.toGen}/24` });
    await lab.link(t, m, { addrA: `${TOPOLOGY.target.toMon}/24`, addrB: `${TOPOLOGY.mon.address}/24` });
    // one `ip -batch` for all peer addresses: one process instead of P
    const batch = path.join(g.dir(), 'addrs.batch');
    fs.writeFileSync(batch, Array.from({ length: shape.peers }, (_, i) => `addr add ${addIPv4(FIRST_PEER, i)}/24 dev ${link.ifA}\n`).join(''));
    await run('ip', ['-n', g.netns, '-batch', batch]);
    const ibgpAs = TOPOLOGY.target.as;
    const peers: TargetPeer[] = Array.from({ length: shape.peers }, (_, i) => ({
      name: `c${i}`, address: addIPv4(FIRST_PEER, i), as: ibgpAs, ...(shape.kind === 'rr' ? { rrClient: true } : {}),
    }));
    const monAs = shape.kind === 'rr' ? ibgpAs : TOPOLOGY.mon.as;
    peers.push({ name: 'mon', address: TOPOLOGY.mon.address, as: monAs, ...(shape.kind === 'rr' ? { rrClient: true } : {}) });
    target = await LAUNCHERS[targetKind].start(t, peers);
    lab.onCleanup(() => Promise.all(children.map((c) => c.stop())).then(() => undefined));
    const total = shape.peers * shape.perPeer;
    const mon = PeerChild.start('monitor', m.netns, bundle, [
      'mon', '--local', TOPOLOGY.mon.address, '--remote', TOPOLOGY.target.toMon, '--as', String(monAs), '--router-id', TOPOLOGY.mon.routerId, '--expect', String(total),
    ]);
    children.push(mon);
    await mon.waitFor('monitor Established', (e) => e.ev === 'established', 60_000);
    const expectRecv = shape.kind === 'rr' ? total - shape.perPeer : 0;
    const gen = PeerChild.start('cluster generator', g.netns, bundle, [
      'cgen', '--local-base', FIRST_PEER, '--peers', String(shape.peers), '--per', String(shape.perPeer), '--remote', TOPOLOGY.target.toGen,
      '--as', String(ibgpAs), '--expect-recv', String(expectRecv),
    ]);
    children.push(gen);
    const est = await gen.waitFor(`${shape.peers} sessions Established`, (e) => e.ev === 'established', timeoutMs);
    await new Promise((r) => setTimeout(r, 1000));
    sampler = new UsageSampler(target.process.pid);
    const idle = sampler.now();
    const helpers0 = usage([...processTree(mon.pid as number), ...processTree(gen.pid as number)]).cpu;
    const total0 = totalCpuSeconds();
    sampler.start();
    gen.send('send');
    const sent = await gen.waitFor('cluster UPDATEs sent', (e) => e.ev === 'sent', timeoutMs);
    const m100 = await mon.waitFor(`all ${total} blocks at the monitor`, (e) => e.ev === 'mark' && e.name === '100', timeoutMs);
    const all = shape.kind === 'rr' ? await gen.waitFor('every client has every other block', (e) => e.ev === 'mark' && e.name === 'allRecv', timeoutMs) : undefined;
    const rssSettled = await settledRss(sampler);
    sampler.stop();
    const busy = sampler.now();
    const helpers1 = usage([...processTree(mon.pid as number), ...processTree(gen.pid as number)]).cpu;
    const t0 = num(sent, 't0');
    const cpu = busy.cpu - idle.cpu;
    return {
      establish: (num(est, 't') - num(est, 't0')) / 1000,
      t100: (num(m100, 't') - t0) / 1000,
      ...(all ? { allClients: (num(all, 't') - t0) / 1000 } : {}),
      rssIdle: idle.rss,
      rssSettled,
      cpu,
      otherCpu: Math.max(0, totalCpuSeconds() - total0 - cpu - (helpers1 - helpers0)),
    };
  } finally {
    sampler?.stop();
    await Promise.all(children.map((c) => c.stop()));
    await target?.stop();
    await lab.cleanup();
  }
}

const QUICK_SHAPES: readonly ClusterShape[] = [{ kind: 'mesh', peers: 10, perPeer: 10 }, { kind: 'rr', peers: 10, perPeer: 10 }];
const FULL_SHAPES: readonly ClusterShape[] = [{ kind: 'mesh', peers: 50, perPeer: 100 }, { kind: 'rr', peers: 100, perPeer: 10 }];
/** Targets configured for iBGP / route reflection; the others' rr-client config is written but not yet exercised. */
const CLUSTER_TARGETS: readonly TargetKind[] = ['bird', 'tortie'];

const HEADER = ['shape', 'target', 'establish s', 'monitor 100% s', 'all clients s', 'RSS idle MB', 'RSS settled MB', 'target CPU s', 'other CPU s', 'runs'];

export async function runClusterPart(opts: PartOptions): Promise<PartReport> {
  const shapes = opts.quick ? QUICK_SHAPES : FULL_SHAPES;
  const skipped: string[] = [];
  const rows: string[][] = [];
  const groups: BarGroup[] = [];
  const results: Array<{ shape: ClusterShape; target: TargetKind; runs: ClusterRun[]; failures: string[] }> = [];
  const targets = CLUSTER_TARGETS.filter((t) => {
    const why = LAUNCHERS[t].unavailable();
    if (why) skipped.push(`${t}: not available: ${why}`);
    return !why;
  });
  for (const why of skipped) opts.log(`cluster: ${why}`);
  for (const shape of shapes) {
    const bars: Bar[] = [];
    for (const target of targets) {
      const runs: ClusterRun[] = [];
      const failures: string[] = [];
      for (let i = 0; i < opts.runs; i++) {
        try {
          const r = await clusterOnce(target, shape);
          runs.push(r);
          opts.log(`  ${target} ${formatShape(shape)} run ${i + 1}: established ${r.establish.toFixed(2)} s, monitor 100% ${r.t100.toFixed(3)} s`
            + `${r.allClients !== undefined ? `, all clients ${r.allClients.toFixed(3)} s` : ''}, RSS ${(r.rssIdle / 1e6).toFixed(1)} -> ${(r.rssSettled / 1e6).toFixed(1)} MB, CPU ${r.cpu.toFixed(2)} s`);
        } catch (err) {
          failures.push(`run ${i + 1}: ${(err as Error).message.split('\n')[0]}`);
          opts.log(`  ${target} ${formatShape(shape)} run ${i + 1} FAILED: ${(err as Error).message.split('\n')[0]}`);
        }
      }
      results.push({ shape, target, runs, failures });
      const c = (pick: (r: ClusterRun) => number | undefined, fmt: (v: number) => string): string =>
        formatSpread(spread(runs.map(pick).filter((v): v is number => v !== undefined)), fmt);
      rows.push([
        formatShape(shape), LAUNCHERS[target].version(), c((r) => r.establish, (v) => v.toFixed(2)), c((r) => r.t100, (v) => v.toFixed(3)),
        shape.kind === 'rr' ? c((r) => r.allClients, (v) => v.toFixed(3)) : '—', c((r) => r.rssIdle, (v) => (v / 1e6).toFixed(1)),
        c((r) => r.rssSettled, (v) => (v / 1e6).toFixed(1)), c((r) => r.cpu, (v) => v.toFixed(2)), c((r) => r.otherCpu, (v) => v.toFixed(2)),
        `${runs.length}${failures.length ? ` (+${failures.length} failed)` : ''}`,
      ]);
      const s = spread(runs.map((r) => r.establish + (r.allClients ?? r.t100)));
      if (s.n) bars.push({ label: target, value: s.median, min: s.min, max: s.max });
    }
    groups.push({ label: formatShape(shape), bars });
  }
  const ratios = results.some((r) => r.target === 'tortie' && r.runs.length)
    ? shapes.map((sh) => {
      const med = (t: TargetKind, pick: (r: ClusterRun) => number): number =>
        spread((results.find((r) => r.target === t && r.shape === sh)?.runs ?? []).map(pick)).median;
      const ratio = (pick: (r: ClusterRun) => number): string => {
        const b = med('bird', pick);
        return b > 0 ? `${(med('tortie', pick) / b).toFixed(2)}×` : 'n/a';
      };
      return `${formatShape(sh)}: tortie / bird — establish ${ratio((r) => r.establish)}, converge ${ratio((r) => r.allClients ?? r.t100)}, `
        + `CPU ${med('bird', (r) => r.cpu) >= 0.02 ? ratio((r) => r.cpu) : 'n/a (BIRD < 20 ms)'}, RSS growth ${ratio((r) => r.rssSettled - r.rssIdle)}`;
    })
    : [`no tortie ratios: ${skipped.find((s) => s.startsWith('tortie')) ?? 'tortie produced no runs'}`];
  return {
    part: 'cluster',
    title: 'Cluster shapes: node in an iBGP full mesh, route reflector with many clients',
    scenario: [
      'namespaces as in the bgp part; P iBGP sessions (AS 65000) from one generator process with addresses 198.18.1.10… on its link, each announcing K /26 pod blocks from 10.64.0.0/10 with next hop itself and LOCAL_PREF 100 (what a Calico node advertises)',
      'mesh: the target is one node of the mesh; the monitor is an eBGP peer (AS 65002) because iBGP-learned routes are not passed to other iBGP peers; "monitor 100%" = all P×K blocks there',
      'rr: the target reflects for P clients; the monitor is one more client; "all clients" = every generator session holds the (P−1)×K blocks of the others',
      '"establish" = from the generator opening its P connections to all Established (the target is passive); times after that are from the first UPDATE byte',
      `shapes: ${shapes.map(formatShape).join('; ')}; runs per cell: ${opts.runs}`,
      'targets: BIRD (`direct` iBGP, `rr client`); tortie once its daemon runs. FRR/OpenBGPD/GoBGP configs carry rr-client lines but are not exercised here yet',
      ...skipped.map((s) => `skipped — ${s}`),
    ],
    sections: [markdownTable(HEADER, rows), ...results.flatMap((r) => r.failures.map((f) => `- ${r.target} ${formatShape(r.shape)} ${f}`))],
    ratios,
    charts: [renderBarChart({ title: 'Establish + converge (s)', unit: 's', groups, log: true })],
    printed: [textTable(HEADER, rows), ...ratios].join('\n'),
    data: results,
  };
}

export const clusterPart: BenchPart = {
  name: 'cluster',
  description: 'Cluster shapes: 50-peer iBGP mesh × 100 blocks, RR with 100 clients × 10 blocks (quick: 10 × 10 each)',
  run: runClusterPart,
};
