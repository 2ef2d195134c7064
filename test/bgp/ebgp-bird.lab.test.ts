// tortie's real bgpd ↔ BIRD over eBGP: routes both ways, bgpctl's views, admin shutdown on SIGINT.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { Tortie } from './tortie';
import type { NeighborView, RouteRow } from '../../bgpd/control/protocol';

describe('tortie bgpd ↔ BIRD eBGP', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('exchanges routes both ways; bgpctl shows the session, routes and neighbor; SIGINT sends an admin shutdown', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.60.1/24', addrB: '198.18.60.2/24' });
    const bird = await BirdDaemon.start(b, {
      routerId: '198.18.60.2', localAs: 65002, localAddress: '198.18.60.2',
      neighbors: [{ address: '198.18.60.1', as: 65001 }],
      routes: [{ prefix: '10.2.0.0/24', communities: ['65002:7'] }, { prefix: '10.2.1.0/24' }],
    });
    const t = await Tortie.start(a, {
      routerId: '198.18.60.1', asNumber: 65001, listen: '198.18.60.1',
      peers: [{ name: 'bird', address: '198.18.60.2', asNumber: 65002 }],
      advertisePrefixes: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'],
    });
    await waitFor(() => t.established('bird'), { what: 'tortie Established with BIRD', timeoutMs: 20_000 });
    const row = await waitFor(async () => {
      const p = await t.peer('bird');
      return p && p.received === 2 && p.sent === 3 ? p : undefined;
    }, { what: 'counts 2 received / 3 sent' });
    expect(row).toMatchObject({ name: 'bird', address: '198.18.60.2', type: 'global', asNumber: 65002, state: 'Established', received: 2, accepted: 2, sent: 3, lastError: null });
    expect(Date.parse(row.since)).toBeGreaterThan(0);

    // BIRD got ours with our AS and next hop
    const mine = await waitFor(async () => {
      const r = (await bird.routes()).filter((x) => x.prefix.startsWith('10.1.'));
      return r.length === 3 ? r : undefined;
    }, { what: 'our 3 prefixes at BIRD' });
    for (const r of mine) {
      expect(r.asPath).toEqual([65001]);
      expect(r.nextHop).toBe('198.18.60.1');
    }

    // Loc-RIB via bgpctl: BIRD's routes best, with community, and our own local ones
    const routes = JSON.parse((await t.ctl(['show', 'routes', '--json'])).stdout) as RouteRow[];
    const r2 = routes.find((r) => r.prefix === '10.2.0.0/24');
    expect(r2?.paths[0]).toMatchObject({ best: true, from: 'bird', nextHop: '198.18.60.2', asPath: '65002', origin: 'i', communities: ['65002:7'] });
    expect(routes.find((r) => r.prefix === '10.1.0.0/24')?.paths[0]).toMatchObject({ best: true, from: 'local' });
    const text = (await t.ctl(['show', 'routes'])).stdout;
    expect(text).toMatch(/^\*> 10\.2\.0\.0\/24\s+198\.18\.60\.2\s+bird\s+.*65002 i$/m);
    const peersText = (await t.ctl(['show', 'peers'])).stdout;
    expect(peersText.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(peersText).toMatch(/^bird\s+global\s+65002\s+Established\s+\d\d:\d\d:\d\d\s+2\/2\s+3$/m);

    const nb = JSON.parse((await t.ctl(['show', 'neighbor', 'bird', '--json'])).stdout) as NeighborView;
    expect(nb.peerRouterId).toBe('198.18.60.2');
    expect(nb.capabilities.peer).toContain('4-octet-as');
    expect(nb.capabilities.local).toContain('multiprotocol ipv4-unicast');
    expect(nb.holdTime.negotiated).toBe(30);
    expect(nb.messages.received.update).toBeGreaterThanOrEqual(1);
    const ribOut = JSON.parse((await t.ctl(['show', 'rib', 'out', 'bird', '--json'])).stdout) as RouteRow[];
    expect(ribOut.map((r) => r.prefix).sort()).toEqual(['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24']);
    const ribIn = JSON.parse((await t.ctl(['show', 'rib', 'in', '198.18.60.2', '--json'])).stdout) as RouteRow[];
    expect(ribIn.map((r) => r.prefix).sort()).toEqual(['10.2.0.0/24', '10.2.1.0/24']);

    // an unknown peer is an error on stderr with a non-zero exit
    const bad = await t.ctl(['show', 'neighbor', 'nope']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no such peer: nope/);

    // BIRD withdraws one: gone from our Loc-RIB
    await bird.withdrawRoute('10.2.1.0/24');
    await waitFor(async () => (await t.peer('bird'))?.received === 1, { what: 'withdraw seen by tortie' });

    // soft clear: ROUTE-REFRESH to BIRD, session kept
    const rrBefore = await bird.birdc(['show', 'protocols', 'all', 'n0']);
    const soft = await t.ctl(['clear', 'neighbor', 'bird', 'soft']);
    expect(soft).toMatchObject({ code: 0, stdout: 'soft-cleared: bird\n' });
    await waitFor(async () => {
      const nbs = JSON.parse((await t.ctl(['show', 'neighbor', 'bird', '--json'])).stdout) as NeighborView;
      return nbs.messages.sent.routeRefresh === 1 && nbs.establishedTransitions === 1;
    }, { what: 'one ROUTE-REFRESH sent, session kept' });
    expect(rrBefore).toMatch(/Established/);
    // hard clear: Cease/Administrative Reset, BIRD sees it, the session comes back with the routes
    expect((await t.ctl(['clear', 'neighbor', 'bird'])).code).toBe(0);
    // (BIRD clears its last error once re-established, so the evidence is on our side)
    const back = await waitFor(async () => {
      const v = JSON.parse((await t.ctl(['show', 'neighbor', 'bird', '--json'])).stdout) as NeighborView;
      return v.state === 'Established' && v.establishedTransitions === 2 && v.accepted === 1 ? v : undefined;
    }, { what: 'back after hard clear', timeoutMs: 20_000 });
    expect(back.lastErrorSent).toMatch(/^Sent: Cease\/Administrative reset/);
    expect(back.messages.sent.notification).toBe(1);

    // SIGINT (the final stop; SIGTERM is a graceful-restart stop without a NOTIFICATION, see
    // graceful-restart.lab.test.ts): BIRD sees Cease/Administrative shutdown with our text
    t.process.signal('SIGINT');
    const exit = await t.process.exited;
    expect(exit.code).toBe(0);
    await waitFor(async () => /Administrative shutdown/i.test(await bird.birdc(['show', 'protocols', 'all', 'n0'])), { what: 'BIRD saw the admin shutdown' });
    expect(await bird.birdc(['show', 'protocols', 'all', 'n0'])).toMatch(/bgpd shutting down/);
    const after = await t.ctl(['show', 'peers']);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe(`bgpctl: bgpd is not running: cannot connect to ${t.socket}\n`);
  }, 90_000);
});
