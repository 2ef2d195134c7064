import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, NetlinkError, RTPROT_TORTIE } from './index';
import type { Route, RouteOp } from './index';
import { createNetns, deleteNetns, ipJson, removeLeftovers, run } from './lab-fixture';
import { byDst, fromIpJson, fromRoute } from './route-compare';
import type { IpJsonRoute } from './route-compare';

const P = RTPROT_TORTIE;
let ns = '';
let nl: Netlink;

// `ip -j` prints the protocol's name once /etc/iproute2/rt_protos.d names it (the route programmer
// installs "201 tortie"), else the number.
const ourProto = (p: string | undefined): boolean => p === String(P) || p === 'tortie';

function ipRoutes(): ReturnType<typeof fromIpJson>[] {
  const v4 = ipJson<IpJsonRoute[]>(ns, ['-4', 'route', 'show', 'table', 'all']).filter((r) => ourProto(r.protocol));
  const v6 = ipJson<IpJsonRoute[]>(ns, ['-6', 'route', 'show', 'table', 'all']).filter((r) => ourProto(r.protocol));
  return [...v4.map((r) => fromIpJson(r, 4)), ...v6.map((r) => fromIpJson(r, 6))].sort(byDst);
}

function ourRoutes(): ReturnType<typeof fromRoute>[] {
  return nl.routes.dump({ protocol: P }).map(fromRoute).sort(byDst);
}

function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetlinkError) return e.errno;
    throw e;
  }
  return 'no error';
}

beforeAll(() => {
  removeLeftovers();
  ns = createNetns('rt');
  nl = Netlink.open({ netns: ns });
  nl.links.createVeth({ name: 'tdpr0', peerName: 'tdpr1' });
  nl.links.setUp('tdpr0');
  nl.links.setUp('tdpr1');
});

afterAll(() => {
  nl?.close();
  deleteNetns(ns);
});

describe('addresses (lab)', () => {
  it('adds, lists and deletes IPv4 /32 and IPv6 /128 plus subnets, matching ip -j addr', () => {
    nl.addresses.add({ dev: 'tdpr0', address: '198.18.0.1/24' });
    nl.addresses.add({ dev: 'tdpr0', address: '198.18.5.5/32' });
    nl.addresses.add({ dev: 'tdpr0', address: '2001:db8:0:0::1/128', nodad: true });
    nl.addresses.add({ dev: 'tdpr0', address: 'fd00:1::1/64', nodad: true });
    const ours = nl.addresses.list({ dev: 'tdpr0' }).filter((a) => a.scope === 'universe').map((a) => a.address).sort();
    expect(ours).toEqual(['198.18.0.1/24', '198.18.5.5/32', '2001:db8::1/128', 'fd00:1::1/64']);
    const ip = ipJson<{ addr_info: { local: string; prefixlen: number; scope: string }[] }[]>(ns, ['addr', 'show', 'dev', 'tdpr0'])[0]
      .addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`).sort();
    expect(ip).toEqual(ours);
    expect(nl.addresses.list({ dev: 'tdpr0', family: 6 }).every((a) => a.family === 6 && a.dev === 'tdpr0')).toBe(true);

    expect(errnoOf(() => nl.addresses.add({ dev: 'tdpr0', address: '198.18.5.5/32' }))).toBe('EEXIST');
    nl.addresses.replace({ dev: 'tdpr0', address: '198.18.5.5/32' });
    nl.addresses.del({ dev: 'tdpr0', address: '198.18.5.5/32' });
    nl.addresses.del({ dev: 'tdpr0', address: '2001:db8::1/128' });
    expect(errnoOf(() => nl.addresses.del({ dev: 'tdpr0', address: '198.18.5.5/32' }))).toBe('EADDRNOTAVAIL');
    const left = nl.addresses.list({ dev: 'tdpr0' }).map((a) => a.address);
    expect(left).not.toContain('198.18.5.5/32');
    expect(left).not.toContain('2001:db8::1/128');
    expect(errnoOf(() => nl.addresses.add({ dev: 'tdpnope', address: '198.18.9.9/32' }))).toBe('ENODEV');
  });
});

describe('routes (lab)', () => {
  const routes: Route[] = [
    { dst: '10.10.0.5/32', dev: 'tdpr0', protocol: P },
    { dst: '10.10.1.0/24', gateway: '198.18.0.2', protocol: P },
    { dst: '10.10.2.0/26', gateway: '198.51.100.9', dev: 'tdpr0', onlink: true, protocol: P },
    { dst: '10.10.3.0/26', type: 'blackhole', protocol: P },
    { dst: '10.10.4.0/24', gateway: '198.18.0.2', dev: 'tdpr0', table: 100, protocol: P, priority: 7 },
    { dst: '10.10.5.0/24', type: 'unreachable', table: 1000, protocol: P },
    {
      dst: '10.10.6.0/24', protocol: P,
      nexthops: [{ gateway: '198.18.0.2', dev: 'tdpr0', weight: 3 }, { gateway: '198.18.0.3', dev: 'tdpr0', weight: 1 }],
    },
    {
      dst: '10.10.7.0/24', protocol: P,
      nexthops: [{ gateway: '198.18.0.4', dev: 'tdpr0' }, { gateway: '203.0.113.1', dev: 'tdpr0', onlink: true }],
    },
    { dst: 'fd00:aa::/64', gateway: 'fd00:1::2', protocol: P },
    { dst: 'fd00:bb::1/128', dev: 'tdpr0', protocol: P },
    { dst: 'fd00:cc::/48', type: 'blackhole', protocol: P },
    {
      dst: 'fd00:dd::/64', protocol: P,
      nexthops: [{ gateway: 'fd00:1::2', dev: 'tdpr0' }, { gateway: 'fd00:1::3', dev: 'tdpr0' }],
    },
  ];

  it('adds routes of every kind and reads them back exactly as ip -j route shows them', () => {
    for (const r of routes) nl.routes.add(r);
    const ours = ourRoutes();
    expect(ours).toEqual(ipRoutes());
    expect(ours).toHaveLength(routes.length);
    const ecmp = ours.find((r) => r.dst === '10.10.6.0/24');
    expect(ecmp?.nexthops).toEqual([
      { gateway: '198.18.0.2', dev: 'tdpr0', weight: 3 },
      { gateway: '198.18.0.3', dev: 'tdpr0', weight: 1 },
    ]);
    expect(ours.find((r) => r.dst === '10.10.3.0/26')).toMatchObject({ type: 'blackhole', table: 254 });
    expect(ours.find((r) => r.dst === '10.10.0.5/32')).toMatchObject({ scope: 'link', dev: 'tdpr0' });
    expect(ours.find((r) => r.dst === '10.10.2.0/26')).toMatchObject({ onlink: true, gateway: '198.51.100.9' });
    expect(ours.find((r) => r.dst === '10.10.4.0/24')).toMatchObject({ table: 100, metric: 7 });
    expect(ours.find((r) => r.dst === '10.10.5.0/24')).toMatchObject({ table: 1000, type: 'unreachable' });
  });

  it('filters dumps in the kernel by protocol, table and dev', () => {
    run('ip', ['-n', ns, 'route', 'add', '10.20.0.0/24', 'via', '198.18.0.2', 'proto', '202']);
    const all = nl.routes.dump({ family: 4 });
    expect(all.some((r) => r.protocol === 202)).toBe(true);
    // Routes.dump filters nothing but family client-side, so protocol/table/dev results below are the
    // kernel's own filtering; it also flags its replies NLM_F_DUMP_FILTERED.
    const mine = nl.routes.dump({ family: 4, protocol: P, names: false });
    expect(nl.socket.lastDumpFiltered).toBe(true);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.protocol === P)).toBe(true);
    expect(nl.routes.dump({ protocol: 202 }).map((r) => r.dst)).toEqual(['10.20.0.0/24']);
    expect(nl.routes.dump({ table: 100 }).map((r) => r.dst)).toEqual(['10.10.4.0/24']);
    expect(nl.routes.dump({ table: 1000, family: 4 }).map((r) => r.dst)).toEqual(['10.10.5.0/24']);
    expect(nl.routes.dump({ table: 4242, family: 4 })).toEqual([]);
    const byDev = nl.routes.dump({ family: 4, dev: 'tdpr0', protocol: P }).map((r) => r.dst);
    expect(byDev).toContain('10.10.0.5/32');
    expect(byDev).not.toContain('10.10.3.0/26');
  });

  it('replace changes a route in place; errors carry errno names and the request', () => {
    nl.routes.replace({ dst: '10.10.1.0/24', gateway: '198.18.0.3', protocol: P });
    const got = nl.routes.dump({ protocol: P, family: 4 }).find((r) => r.dst === '10.10.1.0/24');
    expect(got?.gateway).toBe('198.18.0.3');

    let err: unknown;
    try {
      nl.routes.add({ dst: '10.10.1.0/24', gateway: '198.18.0.2', protocol: P });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetlinkError);
    const ne = err as NetlinkError;
    expect(ne.errno).toBe('EEXIST');
    expect(ne.code).toBe(17);
    expect(ne.request).toContain('10.10.1.0/24');
    expect(ne.request).toContain('RTM_NEWROUTE');

    expect(errnoOf(() => nl.routes.del({ dst: '10.99.0.0/24' }))).toBe('ESRCH');
    expect(errnoOf(() => nl.routes.add({ dst: '10.99.0.0/24', oif: 9999 }))).toBe('ENODEV');
    expect(errnoOf(() => nl.routes.add({ dst: '10.99.0.0/24', dev: 'tdpmissing' }))).toBe('ENODEV');
    try {
      nl.routes.add({ dst: '10.99.0.0/24', gateway: '203.0.113.7', protocol: P });
      throw new Error('expected ENETUNREACH');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('ENETUNREACH');
      expect((e as NetlinkError).extack).toMatch(/gateway/i);
    }
  });

  it('deletes every kind and leaves nothing of our protocol behind', () => {
    // 10.10.1.0/24 now goes via .3, so a delete naming .2 must miss; keys alone match.
    expect(errnoOf(() => nl.routes.del(routes[1]))).toBe('ESRCH');
    for (const r of routes) nl.routes.del({ dst: r.dst, table: r.table, protocol: P });
    expect(ourRoutes()).toEqual([]);
    expect(ipRoutes()).toEqual([]);
  });

  it('a batch with one bad op reports exactly that op, and applies the rest', () => {
    const ops: RouteOp[] = [];
    for (let i = 0; i < 300; i++) ops.push({ op: 'add', route: { dst: `10.30.${i >> 8}.${i & 255}/32`, gateway: '198.18.0.2', protocol: P } });
    ops[137] = { op: 'add', route: { dst: '10.31.0.0/24', gateway: '203.0.113.1', protocol: P } };
    ops.push({ op: 'add', route: { dst: '10.30.0.5/32', gateway: '198.18.0.2', protocol: P } });
    ops.push({ op: 'del', route: { dst: '10.32.0.0/24' } });
    ops.push({ op: 'add', route: { dst: '10.33.0.0/24', dev: 'tdpnosuch', protocol: P } });
    const res = nl.routes.batch(ops, 64);
    const failed = res.map((e, i) => (e ? [i, e.errno] : null)).filter((x) => x !== null);
    expect(failed).toEqual([[137, 'ENETUNREACH'], [300, 'EEXIST'], [301, 'ESRCH'], [302, 'ENODEV']]);
    expect(res[137]?.index).toBe(137);
    expect(res[137]?.request).toContain('10.31.0.0/24 via 203.0.113.1');
    expect(res[300]?.request).toContain('10.30.0.5/32');
    expect(nl.routes.dump({ family: 4, protocol: P }).length).toBe(299);
    expect(ipJson(ns, ['route', 'show', 'proto', String(P)]).length).toBe(299);
    const dels = nl.routes.batch(ops.slice(0, 300).map((o) => ({ op: 'del' as const, route: o.route })));
    expect(dels.filter((e) => e !== null).map((e) => e?.index)).toEqual([137]);
    expect(nl.routes.dump({ family: 4, protocol: P })).toEqual([]);
  });

  it('batch-installs 20k routes across many chunks and dumps them back', () => {
    const ops: RouteOp[] = [];
    for (let i = 0; i < 20_000; i++) {
      ops.push({ op: 'replace', route: { dst: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`, gateway: '198.18.0.2', protocol: P } });
    }
    expect(nl.routes.batch(ops).every((e) => e === null)).toBe(true);
    expect(nl.routes.dump({ family: 4, protocol: P, names: false }).length).toBe(20_000);
    expect(Number(run('sh', ['-c', `ip -n ${ns} route show proto ${P} | wc -l`]).trim())).toBe(20_000);
    expect(nl.routes.batch(ops.map((o) => ({ op: 'del', route: o.route }))).every((e) => e === null)).toBe(true);
    expect(nl.routes.dump({ family: 4, protocol: P })).toEqual([]);
  });

  it('batchAsync yields between slices and reports failures at their global index', async () => {
    const ops: RouteOp[] = [];
    for (let i = 0; i < 10_000; i++) ops.push({ op: 'add', route: { dst: `10.70.${i >> 8}.${i & 255}/32`, dev: 'tdpr0', protocol: P } });
    ops[9000] = { op: 'add', route: { dst: '10.71.0.0/24', gateway: '203.0.113.1', protocol: P } };
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 0);
    let res: Awaited<ReturnType<typeof nl.routes.batchAsync>>;
    try {
      res = await nl.routes.batchAsync(ops, { sliceSize: 1000 });
    } finally {
      clearInterval(timer);
    }
    expect(res.length).toBe(10_000);
    expect(res.map((e, i) => (e ? i : -1)).filter((i) => i >= 0)).toEqual([9000]);
    expect(res[9000]?.index).toBe(9000);
    expect(res[9000]?.errno).toBe('ENETUNREACH');
    expect(ticks).toBeGreaterThan(0);
    expect(nl.routes.dump({ family: 4, protocol: P, names: false }).length).toBe(9999);
    const dels = await nl.routes.batchAsync(ops.map((o) => ({ op: 'del', route: o.route })));
    expect(dels.filter((e) => e !== null).map((e) => e?.index)).toEqual([9000]);
  });

  it('shrinks batch chunks to what a small receive buffer can hold, so no ack is lost', () => {
    const small = Netlink.open({ netns: ns, rcvbuf: 64 * 1024 });
    try {
      expect(small.socket.maxChunk).toBeLessThan(200);
      const ops: RouteOp[] = [];
      for (let i = 0; i < 5000; i++) ops.push({ op: 'add', route: { dst: `10.90.${i >> 8}.${i & 255}/32`, dev: 'tdpr0', protocol: P } });
      ops.push({ op: 'add', route: { dst: '10.90.0.0/32', dev: 'tdpr0', protocol: P } });
      const res = small.routes.batch(ops, 100_000);
      expect(res.map((e, i) => (e ? `${i} ${e.errno}` : '')).filter(Boolean)).toEqual(['5000 EEXIST']);
      expect(small.routes.batch(ops.slice(0, 5000).map((o) => ({ op: 'del', route: o.route }))).every((e) => e === null)).toBe(true);
    } finally {
      small.close();
    }
  });

  it('splits a batch by bytes when the send buffer is small (large ECMP messages)', () => {
    const small = Netlink.open({ netns: ns, sndbuf: 16 * 1024 });
    try {
      expect(small.socket.maxSendBytes).toBeLessThan(20 * 1024);
      const nexthops = [1, 2, 3, 4].map((k) => ({ gateway: `198.18.0.${10 + k}`, dev: 'tdpr0' }));
      const ops: RouteOp[] = [];
      for (let i = 0; i < 3000; i++) ops.push({ op: 'add', route: { dst: `10.91.${i >> 8}.${i & 255}/32`, nexthops, protocol: P } });
      const res = small.routes.batch(ops);
      expect(res.filter((e) => e !== null).map((e) => e?.message)).toEqual([]);
      expect(small.routes.dump({ family: 4, protocol: P, names: false }).length).toBe(3000);
      expect(small.routes.batch(ops.map((o) => ({ op: 'del', route: { dst: o.route.dst, protocol: P } }))).every((e) => e === null)).toBe(true);
    } finally {
      small.close();
    }
  });

  it('append adds an IPv6 next hop to an existing route (ECMP built incrementally)', () => {
    nl.routes.add({ dst: 'fd00:ee::/64', gateway: 'fd00:1::2', dev: 'tdpr0', protocol: P });
    nl.routes.append({ dst: 'fd00:ee::/64', gateway: 'fd00:1::3', dev: 'tdpr0', protocol: P });
    const r = nl.routes.dump({ family: 6, protocol: P }).find((x) => x.dst === 'fd00:ee::/64');
    expect(r?.nexthops?.map((n) => n.gateway)).toEqual(['fd00:1::2', 'fd00:1::3']);
    expect(ipRoutes().find((x) => x.dst === 'fd00:ee::/64')?.nexthops?.map((n) => n.gateway)).toEqual(['fd00:1::2', 'fd00:1::3']);
    // a delete naming one next hop removes just that one; without a gateway, all of them
    nl.routes.del({ dst: 'fd00:ee::/64', gateway: 'fd00:1::3', dev: 'tdpr0' });
    expect(nl.routes.dump({ family: 6, protocol: P }).find((x) => x.dst === 'fd00:ee::/64')?.gateway).toBe('fd00:1::2');
    nl.routes.append({ dst: 'fd00:ee::/64', gateway: 'fd00:1::3', dev: 'tdpr0', protocol: P });
    nl.routes.del({ dst: 'fd00:ee::/64' });
    expect(nl.routes.dump({ family: 6, protocol: P })).toEqual([]);
  });
});
