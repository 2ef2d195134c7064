// Route programmer, no-encap mode, on three lab nodes sharing one bridge underlay: pings between pods,
// blackholes, ECMP, reconcile against leftovers, repair after external deletes, restart adoption, stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, waitFor } from '../../test/lab';
import { Netlink } from '../index';
import type { MonitorEvent } from '../monitor';
import { buildCluster, startProgrammer } from './lab-cluster';
import type { LabNode } from './lab-cluster';
import { RouteProgrammer } from './programmer';
import { installProtoName } from './proto-name';

let lab: Lab;
let nodes: LabNode[] = [];
const programmers: RouteProgrammer[] = [];

async function ourRoutes(n: LabNode): Promise<Record<string, unknown>[]> {
  return JSON.parse(await n.host.ip(['-j', 'route', 'show', 'proto', '201'])) as Record<string, unknown>[];
}

beforeAll(async () => {
  lab = await Lab.create({ prefix: 'tpg' });
  ({ nodes } = await buildCluster(lab, [{ bridge: 'u', subnet: '198.18.1.0/24', nodes: [1, 2, 3] }]));
});

afterAll(async () => {
  for (const p of programmers) await p.close();
  await lab?.cleanup();
});

describe('route programmer, encap none (lab)', () => {
  it('reconcile at start: removes stale routes of our protocol, fixes wrong ones, leaves others alone', async () => {
    const n1 = nodes[0];
    await n1.host.ip(['route', 'add', '10.99.0.0/24', 'via', '198.18.1.2', 'proto', '201']);
    await n1.host.ip(['route', 'add', '10.65.2.0/26', 'via', '198.18.1.3', 'proto', '201']); // wrong node
    await n1.host.ip(['route', 'add', '10.98.0.0/24', 'via', '198.18.1.2', 'proto', 'static']);
    await n1.host.ip(['route', 'add', '10.97.0.0/24', 'via', '198.18.1.2']);
    for (const n of nodes) programmers.push(await startProgrammer(n, nodes, 'none'));
    const p1 = programmers[0];
    const mine = await ourRoutes(n1);
    expect(mine.map((r) => r.dst).sort()).toEqual(['10.65.1.0/26', '10.65.2.0/26', '10.65.3.0/26']);
    expect(mine.find((r) => r.dst === '10.65.2.0/26')).toMatchObject({ gateway: '198.18.1.2', dev: 'u0' });
    const all = await n1.host.ip(['route']);
    expect(all).toContain('10.98.0.0/24 via 198.18.1.2 dev u0 proto static');
    expect(all).toContain('10.97.0.0/24 via 198.18.1.2 dev u0');
    expect(p1.counters).toMatchObject({ routeAdds: 2, routeReplaces: 1, routeDels: 1, adopted: 0 });
    expect(p1.counters.errors).toEqual({});
  });

  it('programs blackholes for local blocks and direct routes to the other nodes; pods ping across', async () => {
    for (const n of nodes) {
      const mine = await ourRoutes(n);
      expect(mine.find((r) => r.dst === n.block)).toMatchObject({ type: 'blackhole' });
      for (const o of nodes.filter((x) => x !== n)) {
        expect(mine.find((r) => r.dst === o.block)).toMatchObject({ gateway: o.ip, dev: 'u0' });
      }
    }
    for (const a of nodes) {
      for (const b of nodes) if (a !== b) expect(await a.pod.ping(b.podIp), `${a.name} pod → ${b.name} pod`).toBe(true);
    }
    // with the name installed, iproute2 prints our protocol by name
    installProtoName();
    expect(await nodes[0].host.ip(['route', 'show', nodes[0].block])).toContain(`blackhole ${nodes[0].block} proto tortie`);
    expect(installProtoName()).toBe(false);
    // an unused address in a local block is dropped here (blackhole), not sent anywhere
    const r = await nodes[0].host.exec('ip', ['route', 'get', '10.65.1.9'], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Invalid argument|blackhole/i);
    expect(programmers[1].snapshot().routes.every((s) => s.state === 'installed')).toBe(true);
  });

  it('ECMP: one route with both best paths; an anycast address behind them answers', async () => {
    const [n1, n2, n3] = nodes;
    await n2.host.ip(['addr', 'add', '10.66.0.1/32', 'dev', 'lo']);
    await n3.host.ip(['addr', 'add', '10.66.0.1/32', 'dev', 'lo']);
    const p1 = programmers[0];
    p1.setRemote({ prefix: '10.66.0.0/24', encap: 'none', nextHops: [{ address: n3.ip }, { address: n2.ip }] });
    await p1.flushed();
    const route = (await ourRoutes(n1)).find((r) => r.dst === '10.66.0.0/24');
    const hops = (route?.nexthops as { gateway: string; dev: string }[]).map((h) => `${h.gateway}@${h.dev}`).sort();
    expect(hops).toEqual([`${n2.ip}@u0`, `${n3.ip}@u0`]);
    expect(await n1.pod.ping('10.66.0.1')).toBe(true);
    // one path withdrawn: replaced in place by a single-path route
    p1.setRemote({ prefix: '10.66.0.0/24', encap: 'none', nextHops: [{ address: n2.ip }] });
    await p1.flushed();
    expect((await ourRoutes(n1)).find((r) => r.dst === '10.66.0.0/24')).toMatchObject({ gateway: n2.ip });
    p1.removeRemote('10.66.0.0/24');
    await p1.flushed();
    expect((await ourRoutes(n1)).some((r) => r.dst === '10.66.0.0/24')).toBe(false);
  });

  it('IPv6: a remote block via a v6 next hop and a v6 local blackhole', async () => {
    const [n1, n2] = nodes;
    await n1.host.ip(['addr', 'add', 'fd00:18::1/64', 'dev', 'u0', 'nodad']);
    await n2.host.ip(['addr', 'add', 'fd00:18::2/64', 'dev', 'u0', 'nodad']);
    await n2.host.ip(['addr', 'add', 'fd00:65:2::1/128', 'dev', 'lo']);
    const p1 = programmers[0];
    p1.setRemote({ prefix: 'fd00:65:2::/64', encap: 'none', nextHops: [{ address: 'fd00:18::2' }] });
    p1.setLocalBlock({ prefix: 'fd00:65:1::/64' });
    await p1.flushed();
    const v6 = JSON.parse(await n1.host.ip(['-6', '-j', 'route', 'show', 'proto', '201'])) as Record<string, unknown>[];
    expect(v6.find((r) => r.dst === 'fd00:65:2::/64')).toMatchObject({ gateway: 'fd00:18::2', dev: 'u0' });
    expect(v6.find((r) => r.dst === 'fd00:65:1::/64')).toMatchObject({ type: 'blackhole' });
    expect(await n1.host.ping('fd00:65:2::1')).toBe(true);
    p1.removeRemote('fd00:65:2::/64');
    p1.removeLocalBlock('fd00:65:1::/64');
    await p1.flushed();
    expect(await n1.host.ip(['-6', 'route', 'show', 'proto', '201'])).toBe('');
  });

  it('repairs a route deleted by someone else within a bounded delay', async () => {
    const [n1, n2] = nodes;
    const p1 = programmers[0];
    const before = p1.counters.repairs;
    const t0 = performance.now();
    await n1.host.ip(['route', 'del', n2.block]);
    const back = await waitFor(async () => (await ourRoutes(n1)).find((r) => r.dst === n2.block), { what: 'route re-added', timeoutMs: 3000, intervalMs: 10 });
    const ms = performance.now() - t0;
    expect(back).toMatchObject({ gateway: n2.ip, dev: 'u0' });
    expect(p1.counters.repairs).toBe(before + 1);
    expect(ms).toBeLessThan(2000);
    console.log(`repair: external delete → re-added in ${ms.toFixed(0)} ms (ip processes included)`);
    // the blackhole too
    await n1.host.ip(['route', 'del', 'blackhole', n1.block]);
    await waitFor(async () => (await ourRoutes(n1)).some((r) => r.dst === n1.block && r.type === 'blackhole'), { what: 'blackhole re-added', timeoutMs: 3000 });
  });

  it('a foreign route at one of our prefixes is left alone (failed, EEXIST); ours goes in once it is gone', async () => {
    const [n1, n2, n3] = nodes;
    const p1 = programmers[0];
    await n1.host.ip(['route', 'add', '10.67.0.0/24', 'via', n2.ip, 'proto', 'static']);
    p1.setRemote({ prefix: '10.67.0.0/24', encap: 'none', nextHops: [{ address: n3.ip }] });
    await p1.flushed();
    expect(p1.snapshot().routes.find((r) => r.prefix === '10.67.0.0/24')).toMatchObject({ state: 'failed', error: expect.stringContaining('EEXIST') });
    expect(p1.counters.errors.EEXIST).toBeGreaterThanOrEqual(1);
    expect(await n1.host.ip(['route', 'show', '10.67.0.0/24'])).toContain(`via ${n2.ip} dev u0 proto static`);
    await n1.host.ip(['route', 'del', '10.67.0.0/24', 'proto', 'static']);
    const mine = await waitFor(async () => (await ourRoutes(n1)).find((r) => r.dst === '10.67.0.0/24'), { what: 'our route once the foreign one is gone', timeoutMs: 8000 });
    expect(mine).toMatchObject({ gateway: n3.ip });
    expect(p1.snapshot().routes.find((r) => r.prefix === '10.67.0.0/24')).toMatchObject({ state: 'installed' });
    p1.removeRemote('10.67.0.0/24');
    await p1.flushed();
    expect((await ourRoutes(n1)).some((r) => r.dst === '10.67.0.0/24')).toBe(false);
  });

  it('restart: a new instance adopts the routes without deleting or re-adding any', async () => {
    const n1 = nodes[0];
    await programmers[0].close();
    const watch = Netlink.open({ netns: n1.host.netns });
    const mon = watch.monitor({ routes: true, links: false, intervalMs: 10 });
    const events: MonitorEvent[] = [];
    mon.on((e) => events.push(e));
    try {
      const p = await startProgrammer(n1, nodes, 'none');
      programmers[0] = p;
      await new Promise((r) => setTimeout(r, 200));
      mon.poll();
      const ours = events.filter((e) => e.kind === 'route' && e.route.protocol === 201);
      expect(ours).toEqual([]);
      expect(p.counters).toMatchObject({ adopted: 3, routeAdds: 0, routeReplaces: 0, routeDels: 0 });
      expect(await n1.pod.ping(nodes[1].podIp)).toBe(true);
    } finally {
      mon.close();
      watch.close();
    }
  });

  it('markAllStale keeps routes a restarted feeder has not re-sent until sweepStale()', async () => {
    const [n1, n2, n3] = nodes;
    await programmers[0].close();
    const p = new RouteProgrammer({ netns: n1.host.netns, node: { underlayDev: n1.underlayDev, address: n1.cidr } });
    programmers[0] = p;
    p.markAllStale();
    p.setLocalBlock({ prefix: n1.block });
    await p.start();
    // nothing re-learned yet: the routes to n2 and n3 survive
    expect((await ourRoutes(n1)).map((r) => r.dst).sort()).toEqual([n1.block, n2.block, n3.block].sort());
    expect(p.snapshot().routes.filter((r) => r.state === 'stale').map((r) => r.prefix).sort()).toEqual([n2.block, n3.block].sort());
    p.setRemote({ prefix: n2.block, encap: 'none', nextHops: [{ address: n2.ip }] });
    await p.flushed();
    expect(await p.sweepStale()).toBe(1);
    expect((await ourRoutes(n1)).map((r) => r.dst).sort()).toEqual([n1.block, n2.block].sort());
    expect(p.counters).toMatchObject({ staleRemoved: 1, adopted: 2, routeAdds: 0 });
    expect(await n1.pod.ping(n2.podIp)).toBe(true);
  });
});
