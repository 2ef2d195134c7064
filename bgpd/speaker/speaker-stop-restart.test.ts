import { PassThrough } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { ManualScheduler } from '../session/timers';
import type { BgpSocket } from '../session/transport';
import { fromConfig } from './peer-map';
import { GR_OFF, nodeConfig, peerConfig, until, useSpeakerPairs } from './test-speakers';
import { peerRow, routesView } from './views';

const pair = useSpeakerPairs();

describe('Speaker.stopForRestart', () => {
  it('sends no NOTIFICATION and no withdrawal; when the connection then ends, the peer keeps our routes stale', async () => {
    const { a, b, sockets } = pair();
    a.setOriginated(['10.1.0.0/24', '10.1.1.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 2, 'routes at B');
    const updatesIn = rb.session.counters.messagesIn.update;
    expect(a.peer('b')!.keepsOurRoutes()).toBe(true);

    await a.stopForRestart('bgpd restarting');
    // what the rest of a stop might do to the RIB must not reach the peer
    a.withdraw('10.1.1.0/24', 'config');
    a.originate('10.1.2.0/24');
    await until(() => !a.rib.pending, 'A idle');
    await new Promise((r) => setTimeout(r, 50));
    expect(rb.session.counters.messagesIn.update).toBe(updatesIn);
    expect(rb.session.counters.messagesIn.notification).toBe(0);
    expect(a.peer('b')!.session.counters.messagesOut.notification).toBe(0);
    expect(peerRow(b, rb).accepted).toBe(2);

    // the process exit: the kernel closes the TCP connection
    for (const s of sockets) s.destroy();
    await until(() => rb.staleUntil !== undefined, 'B holds stale routes');
    await until(() => !b.rib.pending, 'B idle');
    const routes = await routesView(b, {});
    expect(routes.map((r) => [r.prefix, r.paths[0]?.stale])).toEqual([['10.1.0.0/24', true], ['10.1.1.0/24', true]]);
    expect(rb.session.counters.messagesIn.notification).toBe(0);
    // and B waits for A's new connection at once (Active), instead of refusing it through an idle hold in Idle
    await until(() => rb.session.state === 'Active', 'B back in Active', 1000);
  });

  it('a peer without graceful restart gets the Cease with the reason (it drops our routes either way)', async () => {
    const { a, b } = pair({ bPeer: { gracefulRestart: GR_OFF } });
    a.setOriginated(['10.1.0.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 1, 'route at B');
    expect(a.peer('b')!.keepsOurRoutes()).toBe(false);
    await a.stopForRestart('bgpd restarting');
    await until(() => rb.session.counters.messagesIn.notification === 1, 'B got the Cease');
    expect(peerRow(b, rb).lastError).toMatch(/Administrative shutdown.*bgpd restarting/i);
  });

  it('shutdown() by contrast sends Cease and the peer drops our routes', async () => {
    const { a, b } = pair();
    a.setOriginated(['10.1.0.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 1, 'route at B');
    await a.shutdown('bgpd shutting down');
    await until(() => rb.session.counters.messagesIn.notification === 1, 'B got the Cease');
    await until(() => !b.rib.pending, 'B idle');
    expect(rb.staleUntil).toBeUndefined();
    expect(await routesView(b, {})).toEqual([]);
  });
});

describe('after Speaker.stopForRestart nothing reaches a graceful-restart peer', () => {
  it('peer changes, route changes, clears, keepalive intervals and the hold time passing write zero bytes', async () => {
    const clock = new ManualScheduler();
    const { a, b, sockets } = pair({ aScheduler: clock });
    a.setOriginated(['10.1.0.0/24']);
    a.start();
    b.start();
    const rb = b.peer('a')!;
    await until(() => peerRow(b, rb).accepted === 1, 'route at B');
    // what A writes arrives at B's end of the in-memory connection
    let bytes = 0;
    sockets[1]!.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    // the check can fail: before the stop, a keepalive interval on A's clock does write
    const keepalives = rb.session.counters.messagesIn.keepalive;
    clock.advance(3000);
    await until(() => bytes > 0 && rb.session.counters.messagesIn.keepalive > keepalives, 'a KEEPALIVE from A before the stop');

    await a.stopForRestart('bgpd restarting');
    bytes = 0;
    const inBefore = { ...rb.session.counters.messagesIn };
    const node = nodeConfig(65001, '10.0.0.1');
    const changed = fromConfig(node, peerConfig({ name: 'b', address: '10.0.0.2', asNumber: 65002, holdTime: 30 }));
    expect(await a.updatePeer(changed)).toBe('unchanged');
    expect(await a.removePeer('b')).toBe(false);
    expect(a.addPeer(fromConfig(node, peerConfig({ name: 'c', address: '10.0.0.3', asNumber: 65003 })))).toBeUndefined();
    await a.replacePeer(changed);
    a.refreshPeer(fromConfig(node, peerConfig({ name: 'b', address: '10.0.0.2', asNumber: 65002, exportPolicy: ['x'] })));
    a.originate('10.1.2.0/24');
    a.withdraw('10.1.0.0/24', 'config');
    const ra = a.peer('b')!;
    expect(ra.softClear()).toBe(false);
    ra.hardClear();
    // keepalive 3 s, hold 9 s: ten keepalive intervals and three hold times
    for (let i = 0; i < 10; i++) clock.advance(3000);
    await new Promise((r) => setTimeout(r, 50));

    expect(bytes).toBe(0);
    expect(rb.session.counters.messagesIn).toEqual(inBefore);
    expect(a.peers().map((p) => p.name)).toEqual(['b']);
    expect(a.originatedPrefixes()).toEqual(['10.1.0.0/24']);
    expect(ra.session.state).toBe('Established');
    expect(rb.session.state).toBe('Established');
    // a new incoming connection is refused (the listener closes it) rather than handed to the session
    expect(ra.acceptor.acceptIncoming(new PassThrough() as unknown as BgpSocket)).toBe(false);
    for (const s of sockets) s.destroy();
  });
});
