// Route programmer, vxlan and crossSubnet-vxlan, with real vxlan devices: FDB/ARP read back, pings
// across the overlay, and a router between two subnets that knows no pod routes (so only the tunnel
// can carry pod traffic across it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, waitFor } from '../../test/lab';
import { Netlink } from '../index';
import { buildCluster, startProgrammer } from './lab-cluster';
import type { LabNode } from './lab-cluster';
import type { RouteProgrammer } from './programmer';

let lab: Lab;
const programmers: RouteProgrammer[] = [];

beforeAll(async () => {
  lab = await Lab.create({ prefix: 'tpg' });
});

afterAll(async () => {
  for (const p of programmers) await p.close();
  await lab?.cleanup();
});

async function tx(n: LabNode, dev: string): Promise<number> {
  const j = JSON.parse(await n.host.ip(['-j', '-s', 'link', 'show', dev])) as { stats64: { tx: { packets: number } } }[];
  return j[0].stats64.tx.packets;
}

describe('route programmer, vxlan (lab)', () => {
  let nodes: LabNode[] = [];

  it('creates vxlan.tortie as specified and programs routes, ARP and FDB per remote node', async () => {
    ({ nodes } = await buildCluster(lab, [{ bridge: 'u', subnet: '198.18.1.0/24', nodes: [1, 2, 3] }]));
    for (const n of nodes) programmers.push(await startProgrammer(n, nodes, 'vxlan'));
    const [n1] = nodes;
    const nl = Netlink.open({ netns: n1.host.netns });
    try {
      const link = nl.links.get('vxlan.tortie');
      const underlay = nl.links.getOrThrow('u0');
      expect(link).toMatchObject({ kind: 'vxlan', up: true, mtu: underlay.mtu - 50, mac: n1.vtepMac });
      expect(link?.vxlan).toEqual({ vni: 4096, port: 4789, local: n1.ip, linkIndex: underlay.index, learning: false });
      expect(nl.addresses.list({ dev: 'vxlan.tortie', family: 4 }).map((a) => a.address)).toEqual([`${n1.tunnelIp}/32`]);
      const neigh = nl.neighbours.list({ dev: 'vxlan.tortie', family: 4 }).filter((x) => x.state.includes('permanent'));
      expect(neigh.map((x) => `${x.dst}=${x.lladdr}`).sort()).toEqual(nodes.slice(1).map((o) => `${o.tunnelIp}=${o.vtepMac}`));
      const fdb = nl.fdb.list({ dev: 'vxlan.tortie' }).filter((f) => f.self && f.dst);
      expect(fdb.map((f) => `${f.mac}>${f.dst}`).sort()).toEqual(nodes.slice(1).map((o) => `${o.vtepMac}>${o.ip}`));
      const routes = nl.routes.dump({ protocol: 201 });
      for (const o of nodes.slice(1)) {
        expect(routes.find((r) => r.dst === o.block)).toMatchObject({ gateway: o.tunnelIp, dev: 'vxlan.tortie', onlink: true });
      }
      expect(routes.find((r) => r.dst === n1.block)).toMatchObject({ type: 'blackhole' });
    } finally {
      nl.close();
    }
  });

  it('pods ping across the overlay (vxlan.tortie counters move)', async () => {
    const before = await tx(nodes[0], 'vxlan.tortie');
    for (const a of nodes) {
      for (const b of nodes) if (a !== b) expect(await a.pod.ping(b.podIp), `${a.name} pod → ${b.name} pod`).toBe(true);
    }
    expect(await tx(nodes[0], 'vxlan.tortie')).toBeGreaterThanOrEqual(before + 2);
  });

  it('vxlan.tortie deleted by someone else: recreated with its address, ARP, FDB and routes', async () => {
    const [n1, n2, n3] = nodes;
    const p1 = programmers[0];
    const resyncs = p1.counters.resyncs;
    await n1.host.ip(['link', 'del', 'vxlan.tortie']);
    const nl = Netlink.open({ netns: n1.host.netns });
    try {
      await waitFor(() => nl.routes.dump({ protocol: 201 }).filter((r) => r.dev === 'vxlan.tortie').length === 2, { what: 'vxlan routes back', timeoutMs: 5000, intervalMs: 20 });
      expect(p1.counters.resyncs).toBeGreaterThan(resyncs);
      expect(nl.fdb.list({ dev: 'vxlan.tortie' }).filter((f) => f.self && f.dst).map((f) => f.dst).sort()).toEqual([n2.ip, n3.ip]);
      expect(nl.addresses.list({ dev: 'vxlan.tortie', family: 4 }).map((a) => a.address)).toEqual([`${n1.tunnelIp}/32`]);
    } finally {
      nl.close();
    }
    expect(await n1.pod.ping(n3.podIp)).toBe(true);
  });

  it('a node leaving takes its ARP and FDB entries with its route; restart re-creates nothing', async () => {
    const [n1, , n3] = nodes;
    const p1 = programmers[0];
    p1.removeRemote(n3.block);
    await p1.flushed();
    const nl = Netlink.open({ netns: n1.host.netns });
    try {
      expect(nl.neighbours.list({ dev: 'vxlan.tortie', family: 4 }).some((x) => x.dst === n3.tunnelIp)).toBe(false);
      expect(nl.fdb.list({ dev: 'vxlan.tortie' }).some((f) => f.mac === n3.vtepMac)).toBe(false);
      expect(nl.routes.dump({ protocol: 201 }).some((r) => r.dst === n3.block)).toBe(false);
      expect(p1.counters).toMatchObject({ neighDels: 1, fdbDels: 1, routeDels: 1 });
      // a stale FDB entry left on our device (e.g. by a crashed instance) goes at the next reconcile
      nl.fdb.add({ dev: 'vxlan.tortie', mac: '66:00:00:00:00:99', dst: '198.18.1.99' });
      await p1.resync();
      expect(nl.fdb.list({ dev: 'vxlan.tortie' }).some((f) => f.mac === '66:00:00:00:00:99')).toBe(false);
      await p1.close();
      const p = await startProgrammer(n1, nodes.slice(0, 2), 'vxlan');
      programmers[0] = p;
      expect(p.counters).toMatchObject({ adopted: 2, routeAdds: 0, routeDels: 0, neighSets: 0, fdbSets: 0 });
      expect(await n1.pod.ping(nodes[1].podIp)).toBe(true);
    } finally {
      nl.close();
    }
  });
});

describe('route programmer, crossSubnet-vxlan across a router (lab)', () => {
  it('direct inside the subnet, vxlan across; pods ping both ways', async () => {
    const { nodes } = await buildCluster(lab, [
      { bridge: 'v', subnet: '198.18.4.0/24', nodes: [4, 5] },
      { bridge: 'w', subnet: '198.18.5.0/24', nodes: [6] },
    ]);
    const ps = [];
    for (const n of nodes) ps.push(await startProgrammer(n, nodes, 'crossSubnet-vxlan'));
    programmers.push(...ps);
    const [n4, n5, n6] = nodes;
    const nl = Netlink.open({ netns: n4.host.netns });
    try {
      const routes = nl.routes.dump({ protocol: 201 });
      expect(routes.find((r) => r.dst === n5.block)).toMatchObject({ gateway: n5.ip, dev: 'v0' });
      expect(routes.find((r) => r.dst === n5.block)?.onlink).toBeUndefined();
      expect(routes.find((r) => r.dst === n6.block)).toMatchObject({ gateway: n6.tunnelIp, dev: 'vxlan.tortie', onlink: true });
      // only the cross-subnet node needs a VTEP entry
      expect(nl.fdb.list({ dev: 'vxlan.tortie' }).filter((f) => f.self && f.dst).map((f) => f.dst)).toEqual([n6.ip]);
    } finally {
      nl.close();
    }
    const vxBefore = await tx(n4, 'vxlan.tortie');
    expect(await n4.pod.ping(n5.podIp)).toBe(true);
    expect(await tx(n4, 'vxlan.tortie')).toBe(vxBefore); // in-subnet: no tunnel
    expect(await n4.pod.ping(n6.podIp)).toBe(true);
    expect(await n6.pod.ping(n5.podIp)).toBe(true);
    expect(await tx(n4, 'vxlan.tortie')).toBeGreaterThan(vxBefore);
  });
});

