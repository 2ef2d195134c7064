import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BirdDaemon, FrrDaemon, useLab, waitFor } from '../../test/lab';
import type { LabSpeakerSpec } from './lab-speaker';

// Our sessions + RIB (lab-speaker.ts) in namespace t between two BIRDs: e (eBGP, AS 65100) and
// i (iBGP, AS 65000). Checks on the wire what the RIB exports: our AS prepended and next-hop-self
// toward eBGP, no transit to eBGP, NO_EXPORT kept inside the AS, eBGP routes passed to iBGP, and
// withdrawals followed through.
describe('RIB against BIRD', () => {
  const lab = useLab({ prefix: 'rb' });

  it('exports and withdraws per the eBGP/iBGP rules, and reports best changes', async () => {
    const [t, e, i] = [await lab().host('t'), await lab().host('e'), await lab().host('i')];
    await lab().link(t, e, { addrA: '198.18.40.1/24', addrB: '198.18.40.2/24' });
    await lab().link(t, i, { addrA: '198.18.41.1/24', addrB: '198.18.41.2/24' });
    const birdE = await BirdDaemon.start(e, {
      routerId: '198.18.40.2', localAs: 65100, localAddress: '198.18.40.2',
      neighbors: [{ address: '198.18.40.1', as: 65000 }],
      routes: [{ prefix: '10.100.0.0/24', communities: ['65100:7'] }, { prefix: '10.101.0.0/24', communities: ['65535:65281'] }],
    });
    const birdI = await BirdDaemon.start(i, {
      routerId: '198.18.41.2', localAs: 65000, localAddress: '198.18.41.2',
      neighbors: [{ address: '198.18.41.1', as: 65000 }],
      routes: [{ prefix: '10.200.0.0/24' }],
    });
    const spec: LabSpeakerSpec = {
      routerId: '198.18.41.1',
      localAs: 65000,
      peers: [
        { address: '198.18.40.2', remoteAs: 65100, localAddress: '198.18.40.1' },
        { address: '198.18.41.2', remoteAs: 65000, localAddress: '198.18.41.1', nextHop: 'self' },
      ],
      originate: ['10.244.1.0/26'],
    };
    const root = path.resolve(__dirname, '../..');
    const speaker = t.spawn('tortie', process.execPath, ['--import', 'tsx', path.join(root, 'bgpd/rib/lab-speaker.ts'), JSON.stringify(spec)], { cwd: root });
    const events = () => speaker.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const diag = async () => `\n--- tortie:\n${speaker.logs()}\n--- bird e:\n${birdE.logs()}\n--- bird i:\n${birdI.logs()}`;
    try {
      await waitFor(async () => (await birdE.established('198.18.40.1')) && (await birdI.established('198.18.41.1')), { what: 'both BIRD sessions Established', timeoutMs: 20_000 });
      const routesE = async () => new Map((await birdE.routes()).map((r) => [r.prefix, r]));
      const routesI = async () => new Map((await birdI.routes()).map((r) => [r.prefix, r]));
      // 10.101.0.0/24 has other attributes (NO_EXPORT), so it may come in a later UPDATE: wait for it too
      await waitFor(async () => { const i = await routesI(); return i.has('10.100.0.0/24') && i.has('10.101.0.0/24') && (await routesE()).has('10.244.1.0/26'); }, { what: 'routes through tortie', timeoutMs: 15_000 });
      const atE = await routesE();
      expect(atE.get('10.244.1.0/26')).toMatchObject({ nextHop: '198.18.40.1', asPath: [65000] });
      expect(atE.has('10.200.0.0/24')).toBe(false); // no transit to eBGP by default
      const atI = await routesI();
      expect(atI.get('10.244.1.0/26')).toMatchObject({ nextHop: '198.18.41.1', asPath: [] });
      expect(atI.get('10.100.0.0/24')).toMatchObject({ nextHop: '198.18.41.1', asPath: [65100], communities: ['65100:7'] });
      expect(atI.has('10.101.0.0/24')).toBe(true); // NO_EXPORT still goes to iBGP
      const best = events().filter((ev) => ev.ev === 'best' && ev.prefix === '10.100.0.0/24').at(-1);
      expect(best?.best).toMatchObject({ local: false, nextHops: [{ address: '198.18.40.2', peer: '198.18.40.2', routerId: '198.18.40.2' }] });
      await birdE.withdrawRoute('10.100.0.0/24');
      await waitFor(async () => !(await routesI()).has('10.100.0.0/24'), { what: 'withdrawal passed on to BIRD i', timeoutMs: 15_000 });
      await waitFor(() => events().some((ev) => ev.ev === 'best' && ev.prefix === '10.100.0.0/24' && ev.best === null), { what: 'best change to null', timeoutMs: 5_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}${await diag()}`);
    }
  }, 90_000);

  it('reflects routes between BIRD and FRR clients as a route reflector, next hop unchanged', async () => {
    const [t, c1, c2] = [await lab().host('rr'), await lab().host('c1'), await lab().host('c2')];
    const br = await lab().bridge('u', [t, c1, c2], { subnet: '198.18.42.0/24' });
    const [tA, c1A, c2A] = ['rr', 'c1', 'c2'].map((h) => br.addressOf(h));
    const bird = await BirdDaemon.start(c1, {
      routerId: c1A, localAs: 65000, localAddress: c1A, neighbors: [{ address: tA, as: 65000 }],
      routes: [{ prefix: '10.244.1.0/26', communities: ['65000:1'] }],
    });
    const frr = await FrrDaemon.start(c2, {
      routerId: c2A, localAs: 65000, localAddress: c2A, neighbors: [{ address: tA, as: 65000 }],
      routes: [{ prefix: '10.244.2.0/26' }],
    });
    const spec: LabSpeakerSpec = {
      routerId: tA,
      localAs: 65000,
      clusterId: '1.1.1.1',
      peers: [c1A, c2A].map((a) => ({ address: a, remoteAs: 65000, localAddress: tA, rrClient: true })),
    };
    const root = path.resolve(__dirname, '../..');
    const speaker = t.spawn('tortie', process.execPath, ['--import', 'tsx', path.join(root, 'bgpd/rib/lab-speaker.ts'), JSON.stringify(spec)], { cwd: root });
    try {
      await waitFor(async () => (await bird.established(tA)) && (await frr.established(tA)), { what: 'clients Established', timeoutMs: 20_000 });
      await waitFor(async () => (await bird.routes()).some((r) => r.prefix === '10.244.2.0/26')
        && (await frr.routes()).some((r) => r.prefix === '10.244.1.0/26'), { what: 'reflected routes at both clients', timeoutMs: 15_000 });
      const atBird = (await bird.routes()).find((r) => r.prefix === '10.244.2.0/26');
      const atFrr = (await frr.routes()).find((r) => r.prefix === '10.244.1.0/26');
      expect(atBird).toMatchObject({ nextHop: c2A, asPath: [] });
      expect(atFrr).toMatchObject({ nextHop: c1A, asPath: [], communities: ['65000:1'] });
      // each client's own route came back with its ORIGINATOR_ID and was dropped, not installed twice
      expect((await bird.routes()).filter((r) => r.prefix === '10.244.1.0/26')).toHaveLength(0);
      await bird.withdrawRoute('10.244.1.0/26');
      await waitFor(async () => !(await frr.routes()).some((r) => r.prefix === '10.244.1.0/26'), { what: 'withdrawal reflected to FRR', timeoutMs: 15_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- tortie:\n${speaker.logs()}\n--- bird:\n${bird.logs()}\n--- frr:\n${frr.logs()}`);
    }
  }, 90_000);

  it('graceful restart: keeps a killed peer\'s routes, then drops at End-of-RIB what it did not re-send', async () => {
    const [t, e, i] = [await lab().host('gt'), await lab().host('ge'), await lab().host('gi')];
    await lab().link(t, e, { addrA: '198.18.43.1/24', addrB: '198.18.43.2/24' });
    await lab().link(t, i, { addrA: '198.18.44.1/24', addrB: '198.18.44.2/24' });
    const eSpec = {
      routerId: '198.18.43.2', localAs: 65100, localAddress: '198.18.43.2',
      neighbors: [{ address: '198.18.43.1', as: 65000, gracefulRestart: true }],
      routes: [{ prefix: '10.100.0.0/24' }, { prefix: '10.101.0.0/24' }],
    };
    let birdE = await BirdDaemon.start(e, eSpec);
    const birdI = await BirdDaemon.start(i, {
      routerId: '198.18.44.2', localAs: 65000, localAddress: '198.18.44.2', neighbors: [{ address: '198.18.44.1', as: 65000 }],
    });
    const spec: LabSpeakerSpec = {
      routerId: '198.18.44.1',
      localAs: 65000,
      peers: [
        { address: '198.18.43.2', remoteAs: 65100, localAddress: '198.18.43.1', graceful: true },
        { address: '198.18.44.2', remoteAs: 65000, localAddress: '198.18.44.1', nextHop: 'self' },
      ],
    };
    const root = path.resolve(__dirname, '../..');
    const speaker = t.spawn('tortie', process.execPath, ['--import', 'tsx', path.join(root, 'bgpd/rib/lab-speaker.ts'), JSON.stringify(spec)], { cwd: root });
    const events = () => speaker.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const nulls = (prefix: string) => events().filter((ev) => ev.ev === 'best' && ev.prefix === prefix && ev.best === null).length;
    const atI = async () => new Set((await birdI.routes()).map((r) => r.prefix));
    try {
      await waitFor(async () => (await atI()).has('10.101.0.0/24') && (await atI()).has('10.100.0.0/24'), { what: 'routes from e at i', timeoutMs: 20_000 });
      birdE.process.signal('SIGKILL');
      await waitFor(() => events().some((ev) => ev.ev === 'state' && ev.state === 'down' && ev.graceful === true), { what: 'graceful down seen by tortie', timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 1000));
      expect(await atI()).toEqual(new Set(['10.100.0.0/24', '10.101.0.0/24'])); // stale routes still advertised
      expect(nulls('10.100.0.0/24') + nulls('10.101.0.0/24')).toBe(0);
      birdE = await BirdDaemon.start(e, { ...eSpec, routes: [{ prefix: '10.100.0.0/24' }] });
      await waitFor(() => nulls('10.101.0.0/24') === 1, { what: 'End-of-RIB sweeps the route not re-sent', timeoutMs: 20_000 });
      await waitFor(async () => !(await atI()).has('10.101.0.0/24'), { what: 'sweep passed on to i', timeoutMs: 10_000 });
      expect(await atI()).toEqual(new Set(['10.100.0.0/24']));
      expect(nulls('10.100.0.0/24')).toBe(0); // the re-learned route never went away
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- tortie:\n${speaker.logs()}\n--- bird e:\n${birdE.logs()}`);
    }
  }, 90_000);

  it('carries IPv6 routes over IPv6 sessions (MP_REACH, next hop self both ways)', async () => {
    const [t, e, i] = [await lab().host('v6t'), await lab().host('v6e'), await lab().host('v6i')];
    await lab().link(t, e, { addrA: 'fd00:45::1/64', addrB: 'fd00:45::2/64' });
    await lab().link(t, i, { addrA: 'fd00:46::1/64', addrB: 'fd00:46::2/64' });
    const birdE = await BirdDaemon.start(e, {
      routerId: '198.18.45.2', localAs: 65100, localAddress: '198.18.45.2', localAddress6: 'fd00:45::2',
      neighbors: [{ address: 'fd00:45::1', as: 65000 }], routes: [{ prefix: 'fd10::/64' }],
    });
    const birdI = await BirdDaemon.start(i, {
      routerId: '198.18.46.2', localAs: 65000, localAddress: '198.18.46.2', localAddress6: 'fd00:46::2',
      neighbors: [{ address: 'fd00:46::1', as: 65000 }],
    });
    const spec: LabSpeakerSpec = {
      routerId: '198.18.46.1',
      localAs: 65000,
      peers: [
        { address: 'fd00:45::2', remoteAs: 65100, localAddress: 'fd00:45::1' },
        { address: 'fd00:46::2', remoteAs: 65000, localAddress: 'fd00:46::1', nextHop: 'self' },
      ],
      originate: ['fd20::/64'],
    };
    const root = path.resolve(__dirname, '../..');
    const speaker = t.spawn('tortie', process.execPath, ['--import', 'tsx', path.join(root, 'bgpd/rib/lab-speaker.ts'), JSON.stringify(spec)], { cwd: root });
    try {
      const at = async (b: BirdDaemon) => new Map((await b.routes()).map((r) => [r.prefix, r]));
      await waitFor(async () => (await at(birdI)).has('fd10::/64') && (await at(birdE)).has('fd20::/64'), { what: 'IPv6 routes through tortie', timeoutMs: 20_000 });
      expect((await at(birdI)).get('fd10::/64')).toMatchObject({ nextHop: 'fd00:46::1', asPath: [65100] });
      expect((await at(birdE)).get('fd20::/64')).toMatchObject({ nextHop: 'fd00:45::1', asPath: [65000] });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- tortie:\n${speaker.logs()}\n--- bird e:\n${birdE.logs()}\n--- bird i:\n${birdI.logs()}`);
    }
  }, 90_000);
});
