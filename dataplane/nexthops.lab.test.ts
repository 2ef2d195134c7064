import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, NetlinkError, RTPROT_TORTIE } from './index';
import type { RouteOp } from './index';
import { createNetns, deleteNetns, ipJson, removeLeftovers } from './lab-fixture';

const P = RTPROT_TORTIE;
let ns = '';
let nl: Netlink;

beforeAll(() => {
  removeLeftovers();
  ns = createNetns('nh');
  nl = Netlink.open({ netns: ns });
  nl.links.createVeth({ name: 'tdpn0', peerName: 'tdpn1' });
  nl.addresses.add({ dev: 'tdpn0', address: '198.18.6.1/24' });
  nl.links.setUp('tdpn0');
  nl.links.setUp('tdpn1');
});

afterAll(() => {
  nl?.close();
  deleteNetns(ns);
});

describe('nexthop objects (lab)', () => {
  it('creates single, group and blackhole nexthops that ip -j nexthop shows the same', () => {
    nl.nexthops.add({ id: 7, gateway: '198.18.6.2', dev: 'tdpn0', protocol: P });
    nl.nexthops.add({ id: 8, gateway: '198.18.6.3', dev: 'tdpn0', protocol: P });
    nl.nexthops.add({ id: 9, group: [{ id: 7, weight: 2 }, { id: 8 }], protocol: P });
    nl.nexthops.add({ id: 10, blackhole: true, protocol: P });
    const oif = nl.links.index('tdpn0');
    const ours = nl.nexthops.list().sort((a, b) => a.id - b.id);
    expect(ours).toEqual([
      { id: 7, family: 4, gateway: '198.18.6.2', oif, protocol: P },
      { id: 8, family: 4, gateway: '198.18.6.3', oif, protocol: P },
      { id: 9, group: [{ id: 7, weight: 2 }, { id: 8, weight: 1 }], protocol: P },
      { id: 10, family: 4, blackhole: true, protocol: P },
    ]);
    const ip = ipJson<{ id: number; gateway?: string; dev?: string; group?: { id: number; weight?: number }[]; blackhole?: null }[]>(ns, ['nexthop', 'show']);
    expect(ip.map((n) => n.id).sort()).toEqual([10, 7, 8, 9]);
    expect(ip.find((n) => n.id === 9)?.group).toEqual([{ id: 7, weight: 2 }, { id: 8 }]);
    expect(ip.find((n) => n.id === 7)).toMatchObject({ gateway: '198.18.6.2', dev: 'tdpn0' });
    try {
      nl.nexthops.add({ id: 7, gateway: '198.18.6.9', dev: 'tdpn0' });
      throw new Error('expected EEXIST');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('EEXIST');
    }
  });

  it('routes by nhid (single and ECMP group) read back with their id; deleting the nexthop removes them', () => {
    nl.routes.add({ dst: '10.80.0.0/24', nhid: 7, protocol: P });
    nl.routes.add({ dst: '10.80.1.0/24', nhid: 9, protocol: P });
    const ours = nl.routes.dump({ family: 4, protocol: P });
    expect(ours.find((r) => r.dst === '10.80.0.0/24')).toMatchObject({ nhid: 7, gateway: '198.18.6.2', dev: 'tdpn0' });
    expect(ours.find((r) => r.dst === '10.80.1.0/24')).toMatchObject({ nhid: 9 });
    const ip = ipJson<{ dst: string; nhid?: number }[]>(ns, ['route', 'show', 'proto', String(P)]);
    expect(ip.map((r) => [r.dst, r.nhid])).toEqual([['10.80.0.0/24', 7], ['10.80.1.0/24', 9]]);

    nl.nexthops.del(9);
    expect(nl.routes.dump({ family: 4, protocol: P }).map((r) => r.dst)).toEqual(['10.80.0.0/24']);
    try {
      nl.nexthops.del(9);
      throw new Error('expected ENOENT');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('ENOENT');
    }
    nl.routes.del({ dst: '10.80.0.0/24' });
  });

  it('batch-installs /32s by nhid and reports a missing nexthop id per op', () => {
    const ops: RouteOp[] = [];
    for (let i = 0; i < 5000; i++) ops.push({ op: 'add', route: { dst: `10.81.${i >> 8}.${i & 255}/32`, nhid: 7, protocol: P } });
    ops[4321] = { op: 'add', route: { dst: '10.82.0.0/24', nhid: 4242, protocol: P } };
    const res = nl.routes.batch(ops);
    expect(res.map((e, i) => (e ? i : -1)).filter((i) => i >= 0)).toEqual([4321]);
    expect(res[4321]?.request).toContain('nhid 4242');
    expect(nl.routes.dump({ family: 4, protocol: P, names: false }).length).toBe(4999);
    nl.nexthops.del(7);
    expect(nl.routes.dump({ family: 4, protocol: P, names: false })).toEqual([]);
  });
});
