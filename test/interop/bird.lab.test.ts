// Interop: our BgpSession (via the test speaker, no RIB) against real BIRD 2 in network namespaces.
import { describe, it, expect } from 'vitest';
import { BirdDaemon } from '../lab/daemons/bird';
import { waitFor } from '../lab/wait-for';
import { SpeakerProcess } from './speaker-process';
import { B6, FAST_TIMERS, T4, T6, ourRoutes, peerNeighbors, peerSpec, tortiePeer } from './fixtures';
import { expectOurRoutes, expectPeerRoutes } from './expect-routes';
import { useInterop } from './use-interop';

async function birdInfo(bird: BirdDaemon, proto: string): Promise<string> {
  return bird.birdc(['show', 'protocols', 'all', proto]);
}

describe('BIRD 2 interop: tortie active, BIRD passive', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;

  useInterop(async ({ lab, t, b }) => {
    bird = await BirdDaemon.start(b, peerSpec(peerNeighbors({ passive: true })));
    sp = await SpeakerProcess.start(lab, t, { peers: [tortiePeer('v4', {}), tortiePeer('v6', {})], routes: ourRoutes });
  });

  it('reaches Established for IPv4 and IPv6 sessions', async () => {
    await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'v4 Established');
    await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v6', 'v6 Established');
    expect(await bird.established(T4)).toBe(true);
    expect(await bird.established(T6)).toBe(true);
    const est = sp.events.find((e) => e.ev === 'established' && e.peer === 'v4')!;
    expect(est.hold).toBe(9);
    expect(est.as4).toBe(true);
    expect(est.routeRefresh).toBe(true);
  });

  it('BIRD receives our IPv4 and IPv6 routes with AS path, MED, communities and large communities intact', async () => {
    const routes = await waitFor(
      async () => {
        const rs = await bird.routes();
        return rs.some((r) => r.prefix === '198.51.100.0/24') && rs.some((r) => r.prefix === '2001:db8:1::/48') ? rs : undefined;
      },
      { what: 'our routes in BIRD', timeoutMs: 10_000 },
    );
    expectOurRoutes(routes);
    expect(routes.some((r) => r.prefix === '198.51.101.0/24')).toBe(true);
  });

  it('we receive BIRD routes with attributes intact', async () => {
    await waitFor(() => sp.routes().has('203.0.113.0/24') && sp.routes().has('2001:db8:2::/48'), { what: 'BIRD routes at tortie' });
    expectPeerRoutes(sp);
    // End-of-RIB arrives as an empty UPDATE per family
    await sp.waitEvent(
      (e) => e.ev === 'update' && e.peer === 'v4' && (e.announce as unknown[]).length === 0 && (e.withdraw as unknown[]).length === 0,
      'End-of-RIB from BIRD',
    );
  });

  it('withdraws propagate in both directions', async () => {
    sp.withdraw('198.51.101.0/24');
    sp.withdraw('2001:db8:1::/48');
    await waitFor(async () => {
      const rs = await bird.routes();
      return !rs.some((r) => r.prefix === '198.51.101.0/24' || r.prefix === '2001:db8:1::/48') && rs.some((r) => r.prefix === '198.51.100.0/24');
    }, { what: 'our withdraws in BIRD' });
    await bird.withdrawRoute('203.0.114.0/24');
    await waitFor(() => !sp.routes('v4').has('203.0.114.0/24'), { what: 'BIRD withdraw at tortie' });
    expect(sp.routes('v4').has('203.0.113.0/24')).toBe(true);
  });

  it('soft clear: ROUTE-REFRESH makes BIRD re-send its routes', async () => {
    const before = sp.events.length;
    sp.send({ cmd: 'refresh', peer: 'v4' });
    await sp.waitEvent((e) => e.ev === 'refreshSent' && e.ok === true, 'refresh sent');
    await sp.waitEvent(
      (e) => sp.events.indexOf(e) >= before && e.ev === 'update' && e.peer === 'v4' && (e.announce as { prefix: string }[]).some((r) => r.prefix === '203.0.113.0/24'),
      're-sent route after refresh',
    );
  });

  it('admin shutdown sends our RFC 9003 text, which BIRD shows; start brings it back', async () => {
    sp.send({ cmd: 'stop', peer: 'v4', reason: 'tortie maintenance 42' });
    await sp.waitEvent((e) => e.ev === 'notification' && e.peer === 'v4' && e.direction === 'sent', 'shutdown notification');
    const info = await waitFor(async () => {
      const s = await birdInfo(bird, 'n0');
      return /Administrative shutdown/.test(s) ? s : undefined;
    }, { what: 'BIRD to show the shutdown' });
    expect(info).toContain('Received: Administrative shutdown');
    expect(info).toContain('tortie maintenance 42');
    expect(bird.logs()).toContain('tortie maintenance 42');
    const n = sp.events.find((e) => e.ev === 'notification' && e.peer === 'v4' && e.direction === 'sent')!;
    expect(n.text).toBe('Cease/Administrative shutdown: tortie maintenance 42');
    // our routes are gone from BIRD, and the IPv6 session was not disturbed
    await waitFor(async () => !(await bird.routes()).some((r) => r.prefix === '198.51.100.0/24'), { what: 'routes flushed in BIRD' });
    expect(await bird.established(T6)).toBe(true);
    const before = sp.events.length;
    sp.send({ cmd: 'start', peer: 'v4' });
    await sp.waitEvent((e) => sp.events.indexOf(e) >= before && e.ev === 'established' && e.peer === 'v4', 'v4 re-established', 20_000);
    await waitFor(async () => (await bird.routes()).some((r) => r.prefix === '198.51.100.0/24'), { what: 'routes back in BIRD' });
  });
});

describe('BIRD 2 interop: tortie passive, BIRD active; unknown peers refused', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;

  useInterop(async ({ lab, t, b }) => {
    // Only the IPv4 peer is configured at tortie: BIRD's IPv6 session is from an unknown peer.
    sp = await SpeakerProcess.start(lab, t, { listen: { address: '::', port: 179 }, peers: [tortiePeer('v4', { passive: true })], routes: ourRoutes });
    bird = await BirdDaemon.start(b, peerSpec(peerNeighbors()));
  });

  it('accepts BIRD’s connection and reaches Established with routes both ways', async () => {
    await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'v4 Established', 20_000);
    expect(await bird.established(T4)).toBe(true);
    await waitFor(() => sp.routes('v4').has('203.0.113.0/24'), { what: 'BIRD route at tortie' });
    await waitFor(async () => (await bird.routes()).some((r) => r.prefix === '198.51.100.0/24'), { what: 'our route in BIRD' });
  });

  it('closes connections from an unknown peer before any OPEN', async () => {
    const refused = await sp.waitEvent((e) => e.ev === 'log' && e.msg === 'refusing BGP connection from unknown peer', 'refusal', 20_000);
    expect(refused.remote).toBe(B6);
    const st = await sp.stats('v4');
    expect(st.refusedUnknown as number).toBeGreaterThan(0);
    // BIRD never got an OPEN from us on that session: it never left Connect/Active.
    const info = await birdInfo(bird, 'n1');
    expect(info).not.toMatch(/Established|OpenConfirm|Neighbor ID/);
    expect(await bird.established(T6)).toBe(false);
  });
});

describe('BIRD 2 interop: errors', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;

  useInterop(async ({ lab, t, b }) => {
    bird = await BirdDaemon.start(b, peerSpec(peerNeighbors({ passive: true })));
    sp = await SpeakerProcess.start(lab, t, {
      peers: [
        // we expect the wrong AS from BIRD → we send 2/2
        tortiePeer('v4', { peerAs: 65099 }),
        // we claim the wrong AS → BIRD sends 2/2
        tortiePeer('v6', { localAs: 65098 }),
      ],
    });
  });

  it('wrong peer AS in our config: we send OPEN error 2/2, BIRD reports it', async () => {
    const n = await sp.waitEvent((e) => e.ev === 'notification' && e.peer === 'v4' && e.direction === 'sent', 'our 2/2');
    expect([n.code, n.subcode]).toEqual([2, 2]);
    const info = await waitFor(async () => {
      const s = await birdInfo(bird, 'n0');
      return /Bad peer AS/.test(s) ? s : undefined;
    }, { what: 'BIRD to report Bad peer AS' });
    expect(info).toContain('Received: Bad peer AS');
  });

  it('wrong local AS in our config: BIRD sends 2/2 and we record it', async () => {
    const n = await sp.waitEvent((e) => e.ev === 'notification' && e.peer === 'v6' && e.direction === 'received', 'BIRD 2/2');
    expect([n.code, n.subcode]).toEqual([2, 2]);
    expect(n.text).toBe('OPEN message error/Bad peer AS');
    const st = await sp.stats('v6');
    const counters = (st.snapshot as { counters: { lastReceivedError?: { text: string } } }).counters;
    expect(counters.lastReceivedError?.text).toBe('received OPEN message error/Bad peer AS');
    expect(await birdInfo(bird, 'n1')).toContain('BGP Error: Bad peer AS');
  });
});

describe('BIRD 2 interop: frozen peer', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;

  useInterop(async ({ lab, t, b }) => {
    bird = await BirdDaemon.start(b, peerSpec([{ address: T4, as: 65001, holdTime: 3, passive: true }]));
    sp = await SpeakerProcess.start(lab, t, { peers: [tortiePeer('v4', { holdTime: 3 })] });
  }, { beforeCleanup: () => bird?.process.signal('SIGCONT') });

  it('detects a SIGSTOPped BIRD by hold-timer expiry (hold 3 s) and sends 4/0', async () => {
    await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'Established');
    const frozenAt = Date.now();
    bird.process.signal('SIGSTOP');
    const n = await sp.waitEvent((e) => e.ev === 'notification' && e.direction === 'sent', 'hold timer expiry', 10_000);
    const took = Date.now() - frozenAt;
    expect([n.code, n.subcode]).toEqual([4, 0]);
    expect(n.text).toBe('Hold timer expired');
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(8000); // 3 s hold + slack for a loaded 2-core box
    await sp.waitEvent((e) => e.ev === 'down' && e.reason === 'hold timer expired', 'down event');
    bird.process.signal('SIGCONT');
    // once BIRD runs again the session recovers on its own
    const before = sp.events.filter((e) => e.ev === 'established').length;
    await waitFor(() => sp.events.filter((e) => e.ev === 'established').length > before, { what: 're-established after SIGCONT', timeoutMs: 20_000 });
  });

  it('when tortie itself is frozen, BIRD expires the session; after SIGCONT we read its 4/0 and recover', async () => {
    await waitFor(() => bird.established(T4), { what: 'BIRD Established' });
    const before = sp.events.length;
    const established = sp.events.filter((e) => e.ev === 'established').length;
    sp.signal('SIGSTOP');
    try {
      await waitFor(() => /Error: Hold timer expired/.test(bird.logs()), { what: 'BIRD hold expiry', timeoutMs: 10_000 });
    } finally {
      sp.signal('SIGCONT');
    }
    // Our own hold timer is overdue too when we wake up, but it is judged after pending input is
    // read, so we see BIRD's NOTIFICATION instead of blaming BIRD.
    const n = await sp.waitEvent((e) => sp.events.indexOf(e) >= before && e.ev === 'notification', 'notification after SIGCONT');
    expect(n.direction).toBe('received');
    expect(n.text).toBe('Hold timer expired');
    await waitFor(() => sp.events.filter((e) => e.ev === 'established').length > established, { what: 're-established', timeoutMs: 20_000 });
  });
});

describe('BIRD 2 interop: both sides active (collision), graceful restart capability', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;

  useInterop(async ({ lab, t, b }) => {
    // Hold back all BGP packets at tortie's end while both sides start connecting, then let them
    // through: the retransmitted SYNs cross, both connections come up and RFC 4271 §6.8 collision
    // resolution has to pick one (no netem on this kernel, so nftables it is).
    const table = 'tbs_hold';
    await t.exec('nft', ['-f', '-'], {
      input: `table inet ${table} {\n chain i { type filter hook input priority 0; tcp dport 179 drop; tcp sport 179 drop; }\n chain o { type filter hook output priority 0; tcp dport 179 drop; tcp sport 179 drop; }\n}\n`,
    });
    bird = await BirdDaemon.start(b, peerSpec([{ address: T4, as: 65001, holdTime: 9, gracefulRestart: true }]));
    sp = await SpeakerProcess.start(lab, t, {
      listen: { address: '::', port: 179 },
      peers: [tortiePeer('v4', { gracefulRestart: { restartTime: 90 }, fsm: { ...FAST_TIMERS, connectRetryTime: 5 } })],
      routes: ourRoutes,
    });
    await new Promise((r) => setTimeout(r, 1500));
    await t.exec('nft', ['delete', 'table', 'inet', table]);
  });

  it('ends with exactly one stable Established session', async () => {
    await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'Established', 20_000);
    await waitFor(() => bird.established(T4), { what: 'BIRD Established' });
    // stays up: no second Established and no down over several keepalive intervals
    await new Promise((r) => setTimeout(r, 4000));
    expect(sp.events.filter((e) => e.ev === 'established').length).toBe(1);
    expect(sp.events.some((e) => e.ev === 'down')).toBe(false);
    expect(await bird.established(T4)).toBe(true);
    // any connection we dropped was dropped with Cease/7, never with an error
    const sent = sp.events.filter((e) => e.ev === 'notification' && e.direction === 'sent');
    for (const n of sent) expect([n.code, n.subcode]).toEqual([6, 7]);
    // When both connections existed, the survivor is the one initiated by the higher BGP
    // identifier (BIRD, 198.18.0.2), i.e. incoming for us.
    const collided = sp.events.some((e) => e.ev === 'log' && String(e.msg).startsWith('connection collision'));
    const est = sp.events.find((e) => e.ev === 'established')!;
    if (collided) expect(est.direction).toBe('in');
    console.log(`collision detected: ${collided}; surviving connection: ${String(est.direction)}`);
  });

  it('exchanges graceful-restart capabilities both ways', async () => {
    const est = sp.events.find((e) => e.ev === 'established')!;
    const gr = est.peerGracefulRestart as { restartTime: number; families: unknown[] } | undefined;
    expect(gr).toBeDefined();
    expect(gr!.restartTime).toBe(120); // BIRD's default restart time
    expect(gr!.families.length).toBeGreaterThanOrEqual(1);
    const info = await bird.birdc(['show', 'protocols', 'all', 'n0']);
    const neighborCaps = info.slice(info.indexOf('Neighbor capabilities'));
    expect(neighborCaps).toMatch(/Graceful restart/);
    expect(neighborCaps).toMatch(/Restart time: 90/);
  });
});

describe('BIRD 2 interop: 4-octet AS (eBGP) and iBGP', () => {
  let bird: BirdDaemon;
  let sp: SpeakerProcess;
  const AS4 = 4200000001;

  useInterop(async ({ lab, t, b }) => {
    bird = await BirdDaemon.start(b, peerSpec([
      { address: T4, as: AS4, holdTime: 9, passive: true },
      { address: T6, as: 65002, holdTime: 9, passive: true },
    ]));
    sp = await SpeakerProcess.start(lab, t, {
      peers: [tortiePeer('v4', { localAs: AS4 }), tortiePeer('v6', { localAs: 65002 })],
      routes: ourRoutes,
    });
  });

  it('peers with a 4-octet AS (AS_TRANS in OPEN) and BIRD sees it in the AS path', async () => {
    const est = await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'v4 Established');
    expect(est.as4).toBe(true);
    const r = await waitFor(async () => (await bird.routes()).find((x) => x.prefix === '198.51.100.0/24'), { what: 'route in BIRD' });
    expect(r.asPath).toEqual([AS4, 64999]);
    const info = await bird.birdc(['show', 'protocols', 'all', 'n0']);
    expect(info).toMatch(/Neighbor AS:\s+4200000001/);
  });

  it('runs an iBGP session: no AS prepended, routes both ways', async () => {
    await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v6', 'v6 (iBGP) Established');
    const r = await waitFor(async () => (await bird.routes()).find((x) => x.prefix === '2001:db8:1::/48'), { what: 'iBGP route in BIRD' });
    expect(r.asPath).toEqual([]);
    expect(r.med).toBe(20);
    await waitFor(() => sp.routes('v6').has('2001:db8:2::/48'), { what: 'BIRD iBGP route at tortie' });
    expect(sp.routes('v6').get('2001:db8:2::/48')!.asPath).toEqual([]);
  });
});
