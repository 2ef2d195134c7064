import { describe, it, expect } from 'vitest';
import { GR_OFF, until, useSpeakerPairs } from './test-speakers';
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
