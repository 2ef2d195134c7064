import { describe, it, expect } from 'vitest';
import { silentLogger } from '../session/peer-config';
import { Speaker } from './speaker';
import { fromConfig } from './peer-map';
import { nodeConfig, peerConfig, until, useSpeakerPairs } from './test-speakers';
import { displayState, peerRow, routesView } from './views';

const pair = useSpeakerPairs();

describe('Speaker', () => {
  it('carries originated routes to the peer and counts them on both sides', async () => {
    const { a, b } = pair();
    a.setOriginated(['10.1.0.0/24', '10.1.1.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 2, 'B accepts 2');
    const ra = a.peer('b')!;
    await until(() => peerRow(a, ra).sent === 2, 'A sent 2');
    expect(peerRow(b, rb)).toMatchObject({ name: 'a', type: 'global', state: 'Established', received: 2, accepted: 2, lastError: null });
    const routes = await routesView(b, {});
    expect(routes.map((r) => r.prefix)).toEqual(['10.1.0.0/24', '10.1.1.0/24']);
    expect(routes[0].paths[0]).toMatchObject({ best: true, from: 'a', nextHop: '10.0.0.1', asPath: '65001', origin: 'i' });
    // a bare address finds the covering prefix (longest match)
    expect((await routesView(b, { prefix: '10.1.1.77' })).map((r) => r.prefix)).toEqual(['10.1.1.0/24']);
    expect(await routesView(b, { prefix: '10.9.9.9' })).toEqual([]);

    // withdrawing on A removes it at B; the originated set is exactly the list given
    a.setOriginated(['10.1.1.0/24']);
    await until(() => peerRow(b, rb).accepted === 1, 'withdraw reaches B');
    expect(a.originatedPrefixes()).toEqual(['10.1.1.0/24']);

    // a prefix the node agent originates ('ipam') survives a config reload that drops it from 'config'
    a.originate('10.1.2.0/24', 'ipam');
    a.originate('10.1.1.0/24', 'ipam');
    await until(() => peerRow(b, rb).accepted === 2, 'ipam prefix reaches B');
    a.setOriginated([]);
    await until(() => !a.rib.pending, 'A idle');
    expect(a.originatedPrefixes().sort()).toEqual(['10.1.1.0/24', '10.1.2.0/24']);
    a.withdraw('10.1.1.0/24', 'ipam');
    await until(() => peerRow(b, rb).accepted === 1, 'last source withdrawn reaches B');
    expect(a.originatedPrefixes()).toEqual(['10.1.2.0/24']);
  });

  it('applies config export policies (reject a prefix toward the peer)', async () => {
    const { a, b } = pair({
      aPolicies: [{ name: 'no-11', defaultAction: 'builtin', rules: [{ match: { prefixes: [{ cidr: '10.1.1.0/24', ge: 24, le: 24 }] }, action: 'reject' }] }],
      aExport: ['no-11'],
    });
    a.setOriginated(['10.1.0.0/24', '10.1.1.0/24']);
    a.start();
    b.start();
    await until(() => peerRow(b, b.peer('a')!).accepted === 1 && peerRow(a, a.peer('b')!).sent === 1, 'one route through the policy');
    await new Promise((r) => setTimeout(r, 50));
    expect((await routesView(b, {})).map((r) => r.prefix)).toEqual(['10.1.0.0/24']);
  });

  it('refreshPeer applies a changed export policy without resetting the session', async () => {
    const { a, b } = pair();
    a.setOriginated(['10.1.0.0/24', '10.1.1.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 2, 'B accepts 2');
    const policies = [{ name: 'only-10', defaultAction: 'reject' as const, rules: [{ match: { prefixes: [{ cidr: '10.1.0.0/24', ge: 24, le: 24 }] }, action: 'accept' as const }] }];
    a.setPolicies(policies);
    const ra = a.peer('b')!;
    a.refreshPeer({ ...ra.peer, exportPolicy: ['only-10'] });
    await until(() => peerRow(b, rb).accepted === 1, 'withdrawal of the now-rejected prefix reaches B');
    expect((await routesView(b, {})).map((r) => r.prefix)).toEqual(['10.1.0.0/24']);
    expect(rb.session.counters.establishedTransitions).toBe(1);
    expect(a.peer('b')!.peer.exportPolicy).toEqual(['only-10']);
    // updatePeer decides: same settings → unchanged; a timer change → only this session restarts
    expect(await a.updatePeer({ ...a.peer('b')!.peer })).toBe('unchanged');
    expect(await a.updatePeer({ ...a.peer('b')!.peer, exportPolicy: [] })).toBe('refreshed');
    expect(await a.updatePeer({ ...a.peer('b')!.peer, holdTime: 30 })).toBe('reset');
    expect(a.peer('b')!.session.config.holdTime).toBe(30);
  });

  it('keeps a graceful-restart peer\'s routes stale when the connection is lost', async () => {
    const { a, b, sockets } = pair();
    a.setOriginated(['10.1.0.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 1, 'route at B');
    // the TCP connection dies without a NOTIFICATION (the peer crashed); A then waits out its
    // idle hold (5 s) before reconnecting, long enough to look at B
    for (const s of sockets) s.destroy();
    await until(() => rb.staleUntil !== undefined, 'B holds stale routes');
    expect(rb.staleUntil! - Date.now()).toBeGreaterThan(100_000);
    await until(() => !b.rib.pending, 'RIB idle');
    const routes = await routesView(b, {});
    expect(routes[0]?.paths[0]).toMatchObject({ stale: true, from: 'a' });
    expect(peerRow(b, rb).state).not.toBe('Established');
  });

  it('max-prefix restart: the session goes down and shows Idle(PfxLimit)', async () => {
    const { a, b } = pair({ bPeer: { maxPrefix: { limit: 1, action: 'restart', restartAfter: 60 } } });
    a.setOriginated(['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => rb.prefixLimited, 'limit tripped');
    expect(displayState(rb)).toBe('Idle(PfxLimit)');
    expect(peerRow(b, rb).lastError).toMatch(/^Sent: Cease\/Maximum number of prefixes reached/i);
    // an operator clear lifts the hold-down at once
    rb.hardClear();
    expect(rb.prefixLimited).toBe(false);
  });

  it('removePeer leaves other peers alone and refuses unknown names', async () => {
    const { a, b } = pair();
    a.start();
    b.start();
    await until(() => b.peer('a')!.session.state === 'Established', 'up');
    const extra = b.addPeer(fromConfig(nodeConfig(65002, '10.0.0.2'), peerConfig({ name: 'c', address: '10.0.0.3', asNumber: 65003, passive: true })))!;
    expect(b.peers().map((p) => p.name)).toEqual(['a', 'c']);
    expect(await b.removePeer('c')).toBe(true);
    expect(await b.removePeer('nope')).toBe(false);
    expect(extra.session.adminDown).toBe(true);
    expect(b.peer('a')!.session.state).toBe('Established');
    expect(() => b.addPeer(fromConfig(nodeConfig(65002, '10.0.0.2'), peerConfig({ name: 'a', address: '10.0.0.9', asNumber: 65009 })))).toThrow(/already exists/);
  });
});

describe('views over a big table', () => {
  it('routesView returns 130k prefixes (no argument spreading into push, yields between pages)', async () => {
    const s = new Speaker({ config: nodeConfig(65001, '10.0.0.1'), logger: silentLogger });
    for (let i = 0; i < 130_000; i++) s.originate(`${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`);
    await s.rib.drain();
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 0);
    const rows = await routesView(s, { family: 'ipv4' });
    clearInterval(ticker);
    expect(rows).toHaveLength(130_000);
    expect(rows[129_999].prefix).toBe('17.251.207.0/24');
    expect(ticks).toBeGreaterThan(0);
  }, 60_000);
});
