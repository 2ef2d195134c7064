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
    const sampler = new UsageSampler(target.process.pid);
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
    await Promise.all(children.map((c) => c.stop()));
    await target?.stop();
    await lab.cleanup();
  }
}
