import { describe, it, expect, afterEach } from 'vitest';
import { duplexPair } from 'node:stream';
import { BgpSession } from './session';
import type { ReceivedUpdate, NotificationEvent } from './session';
import type { PeerConfig } from './peer-config';
import type { BgpSocket, Connector } from './transport';
import { ManualScheduler } from './timers';
import { encodeMessage, MessageReader } from '../wire';
import type { BgpMessage, UpdateMessage } from '../wire/types';

const tick = () => new Promise<void>((r) => setImmediate(r));
async function until(cond: () => boolean, what: string | (() => string), ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const baseA: PeerConfig = { name: 'to-b', localAs: 65001, peerAs: 65002, routerId: '10.0.0.1', peerAddress: '10.0.0.2', holdTime: 9 };
const baseB: PeerConfig = { name: 'to-a', localAs: 65002, peerAs: 65001, routerId: '10.0.0.2', peerAddress: '10.0.0.1', holdTime: 9 };

function withAddresses(s: BgpSocket, local: string, remote: string): BgpSocket {
  Object.defineProperty(s, 'remoteAddress', { value: remote });
  Object.defineProperty(s, 'localAddress', { value: local });
  return s;
}

/** A connector that "connects" to another session through an in-memory socket pair. */
function connectorTo(target: () => BgpSession | undefined, from: string, connectFirst = false): Connector {
  return (o) => {
    const [client, server] = duplexPair();
    withAddresses(client, from, o.host);
    withAddresses(server, o.host, from);
    if (connectFirst) {
      // The TCP handshake completes at both ends before the far side looks at the connection, so
      // two simultaneous connects both reach OpenSent: a real collision.
      process.nextTick(() => client.emit('connect'));
      setImmediate(() => {
        const t = target();
        if (!t || !t.acceptIncoming(server)) server.destroy();
      });
      return client;
    }
    process.nextTick(() => {
      const t = target();
      if (t && t.acceptIncoming(server)) client.emit('connect');
      else {
        server.destroy();
        client.destroy(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
      }
    });
    return client;
  };
}

const sessions: BgpSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
});

function pair(
  a: Partial<PeerConfig> = {},
  b: Partial<PeerConfig> = {},
  consumerB?: (batch: ReceivedUpdate[]) => void | Promise<void>,
  connectFirst = false,
) {
  const sched = new ManualScheduler();
  let sa: BgpSession | undefined;
  let sb: BgpSession | undefined;
  const dbg = process.env.DBG ? { logger: { debug: (o: object, m: string) => console.log('D', m, JSON.stringify(o)), info: (o: object, m: string) => console.log('I', m, JSON.stringify(o)), warn: (o: object, m: string) => console.log('W', m, JSON.stringify(o)), error: (o: object, m: string) => console.log('E', m, JSON.stringify(o)) } } : {};
  sa = new BgpSession({ ...baseA, ...a }, { ...dbg, scheduler: sched, random: () => 0.999, connector: connectorTo(() => sb, '10.0.0.1', connectFirst) });
  sb = new BgpSession({ ...baseB, passive: true, ...b }, {
    ...dbg,
    scheduler: sched,
    random: () => 0.999,
    connector: connectorTo(() => sa, '10.0.0.2', connectFirst),
    ...(consumerB ? { onUpdates: consumerB } : {}),
  });
  sessions.push(sa, sb);
  return { a: sa, b: sb, sched };
}

const ctx = { as4: true, extendedMessage: true, ibgp: false };
function update(prefixByte: number): Buffer {
  const msg: UpdateMessage = {
    type: 2,
    withdrawn: [],
    attrs: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '10.0.0.1', med: 7, communities: [0xfde90001] },
    nlri: [String.fromCharCode(24, 10, prefixByte, 0)],
  };
  return encodeMessage(msg, ctx);
}

describe('BgpSession config validation', () => {
  it('rejects configs that could only fail later inside a socket callback', () => {
    expect(() => new BgpSession({ ...baseA, holdTime: 2 })).toThrow(/hold time 2/);
    expect(() => new BgpSession({ ...baseA, routerId: '10.0.0' })).toThrow(/router id/);
    expect(() => new BgpSession({ ...baseA, routerId: '0.0.0.0' })).toThrow(/router id/);
    expect(() => new BgpSession({ ...baseA, peerAs: 0 })).toThrow(/peer AS 0/);
    expect(() => new BgpSession({ ...baseA, localAs: 2 ** 32 })).toThrow(/local AS/);
    expect(() => new BgpSession({ ...baseA, holdTime: 0 })).not.toThrow();
  });
});

describe('BgpSession over an in-memory connection', () => {
  it('reaches Established on both sides and exposes the negotiated result', async () => {
    const { a, b } = pair({ holdTime: 30 }, { holdTime: 9 });
    const states: string[] = [];
    a.on('stateChange', (_f, t) => states.push(t));
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    expect(states).toEqual(['Connect', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(a.negotiated?.holdTime).toBe(9);
    expect(a.negotiated?.keepaliveTime).toBe(3);
    expect(a.negotiated?.as4).toBe(true);
    expect(a.negotiated?.routeRefresh).toBe(true);
    expect(a.negotiated?.peerRouterId).toBe('10.0.0.2');
    expect(a.counters.messagesOut.open).toBe(1);
    expect(b.counters.messagesIn.keepalive).toBeGreaterThanOrEqual(1);
    expect(a.counters.establishedTransitions).toBe(1);
    expect(a.snapshot().timers.hold?.ms).toBe(9000);
    // the peer's OPEN is kept raw: marker, then type 1 at offset 18
    expect(a.peerOpenRaw?.[18]).toBe(1);
    expect(a.snapshot().peerOpenHex?.startsWith('ffffffffffffffffffffffffffffffff')).toBe(true);
  });

  it('delivers UPDATEs in order in bounded batches and counts them', async () => {
    const got: number[] = [];
    const sizes: number[] = [];
    const { a, b } = pair({}, { updateBatchSize: 4 }, (batch) => {
      sizes.push(batch.length);
      for (const u of batch) got.push(u.msg.nlri[0]!.charCodeAt(2));
    });
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    const bufs = Array.from({ length: 10 }, (_, i) => update(i));
    expect(a.send(bufs)).toBe(true);
    await until(() => got.length === 10, 'updates');
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(a.counters.messagesOut.update).toBe(10);
    expect(b.counters.messagesIn.update).toBe(10);
  });

  it('a slow consumer pauses input but keepalives keep flowing and the hold timer does not fire', async () => {
    let release!: () => void;
    let calls = 0;
    const { a, b, sched } = pair({}, { updateBatchSize: 2 }, () => {
      calls++;
      return new Promise<void>((r) => (release = r));
    });
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    a.send(Array.from({ length: 20 }, (_, i) => update(i)));
    await until(() => calls === 1, 'first batch');
    for (let i = 0; i < 5; i++) await tick();
    expect(calls).toBe(1); // nothing more read while the consumer is busy
    const kaBefore = b.counters.messagesOut.keepalive;
    // 3 hold times pass while B's consumer is stuck: B keeps sending keepalives and stays up.
    for (let i = 0; i < 9; i++) {
      sched.advance(3000);
      await tick();
    }
    expect(b.counters.messagesOut.keepalive).toBeGreaterThan(kaBefore);
    expect(b.state).toBe('Established');
    expect(a.state).toBe('Established');
    release();
    await until(() => calls === 2, 'second batch');
  });

  it('stop(reason) sends Cease/2 with the text; the peer records and reports it', async () => {
    const { a, b } = pair();
    const seen: NotificationEvent[] = [];
    b.on('notification', (n) => seen.push(n));
    const downs: string[] = [];
    const holdAtDown: (number | undefined)[] = [];
    b.on('down', (r) => {
      downs.push(r);
      holdAtDown.push(b.negotiated?.holdTime);
    });
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    await a.stop('maintenance');
    expect(a.state).toBe('Idle');
    expect(a.counters.lastSentError?.text).toBe('sent Cease/Administrative shutdown: maintenance');
    await until(() => b.state === 'Idle', 'peer idle');
    expect(seen[0]?.text).toBe('Cease/Administrative shutdown: maintenance');
    expect(b.counters.lastReceivedError?.text).toBe('received Cease/Administrative shutdown: maintenance');
    expect(downs).toEqual(['notification received']);
    expect(holdAtDown).toEqual([9]); // still readable inside the 'down' handler
    expect(b.negotiated).toBeUndefined();
    expect(b.snapshot().timers.idleHold).toBeDefined();
  });

  it('stop with a Cease subcode (prefix limit 6/1) sends that instead of Cease/2', async () => {
    const { a, b } = pair();
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    await a.stop('prefix limit', { subcode: 1, data: new Uint8Array([0, 1, 1, 0, 0, 0, 10]) });
    await until(() => b.counters.lastReceivedError !== undefined, 'peer got it');
    expect(b.counters.lastReceivedError?.text).toBe('received Cease/Maximum number of prefixes reached');
    expect(a.adminDown).toBe(true);
  });

  it('wrong peer AS: the side that checks sends 2/2 and the other side receives it', async () => {
    const { a, b } = pair({ peerAs: 65099 });
    b.start();
    a.start();
    await until(() => a.counters.lastSentError !== undefined && b.counters.lastReceivedError !== undefined, 'notification');
    expect(a.counters.lastSentError?.text).toBe('sent OPEN message error/Bad peer AS');
    expect(b.counters.lastReceivedError?.text).toBe('received OPEN message error/Bad peer AS');
    expect(a.state).toBe('Idle');
  });

  it('refresh() sends ROUTE-REFRESH, the peer emits routeRefresh', async () => {
    const { a, b } = pair();
    const reqs: unknown[] = [];
    b.on('routeRefresh', (r) => reqs.push(r));
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    expect(a.refresh()).toBe(true);
    await until(() => reqs.length === 1, 'route refresh');
    expect(reqs[0]).toEqual({ afi: 1, safi: 1, subtype: 0 });
  });

  it('reset() sends Cease/4 and the session comes back', async () => {
    const { a, b, sched } = pair();
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    a.reset();
    await until(() => b.counters.lastReceivedError !== undefined, 'reset notification');
    expect(b.counters.lastReceivedError?.text).toBe('received Cease/Administrative reset');
    // B waits out its idle hold (5 s) before it listens again; A retries every ConnectRetry.
    for (let i = 0; i < 20 && !(a.state === 'Established' && b.state === 'Established'); i++) {
      sched.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(a.state).toBe('Established');
    expect(a.counters.establishedTransitions).toBe(2);
  });

  it('a new connection from a graceful-restart peer while Established replaces the old session', async () => {
    const { a, b } = pair({ gracefulRestart: { restartTime: 120 } }, { gracefulRestart: { restartTime: 120 } });
    const downs: string[] = [];
    b.on('down', (r) => downs.push(r));
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    expect(b.negotiated?.gracefulRestart.peer?.restartTime).toBe(120);
    // a "restarts": a fresh session object for the same peer connects while b still sees the old one
    const a2 = new BgpSession({ ...baseA, gracefulRestart: { restartTime: 120, restarting: true } }, {
      random: () => 0.999,
      connector: connectorTo(() => b, '10.0.0.1'),
    });
    sessions.push(a2);
    a2.start();
    // b reaches Established only on a2's KEEPALIVE, which may still be in flight when a2 is up.
    await until(() => a2.state === 'Established' && b.state === 'Established' && downs.length === 1, 'b re-established with the restarted peer');
    expect(downs).toEqual(['peer restarted (graceful restart)']);
    expect(b.state).toBe('Established');
    expect(b.negotiated?.gracefulRestart.peer?.restartState).toBe(true);
    expect(b.counters.establishedTransitions).toBe(2);
  });

  it('without graceful restart, a second connection while Established is closed with Cease/7', async () => {
    const { a, b } = pair();
    b.start();
    a.start();
    await until(() => a.state === 'Established' && b.state === 'Established', 'Established');
    const a2 = new BgpSession(baseA, { random: () => 0.999, connector: connectorTo(() => b, '10.0.0.1') });
    sessions.push(a2);
    a2.start();
    await until(() => a2.counters.lastReceivedError !== undefined, 'a2 refused');
    expect(a2.counters.lastReceivedError?.text).toBe('received Cease/Connection collision resolution');
    expect(b.state).toBe('Established');
    expect(b.counters.establishedTransitions).toBe(1);
  });

  it('both sides active: collision resolution leaves exactly one Established connection', async () => {
    const { a, b } = pair({}, { passive: false }, undefined, true);
    const sent: string[] = [];
    a.on('notification', (n) => n.direction === 'sent' && sent.push(`a:${n.text}`));
    b.on('notification', (n) => n.direction === 'sent' && sent.push(`b:${n.text}`));
    a.start();
    b.start();
    await until(() => a.state === 'Established' && b.state === 'Established', () => `Established ${a.state} ${b.state} ${sent} ${JSON.stringify(a.counters.transitions)} ${JSON.stringify(b.counters.transitions)}`);
    await new Promise((r) => setTimeout(r, 20));
    expect(a.state).toBe('Established');
    expect(b.state).toBe('Established');
    // b has the higher identifier: its outgoing connection survives; a's is dumped with Cease/7.
    expect(sent.every((t) => t.endsWith('Connection collision resolution'))).toBe(true);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(a.snapshot().direction).toBe('in');
    expect(b.snapshot().direction).toBe('out');
    expect(b.snapshot().counters.establishedTransitions).toBe(1);
  });
});

/** A scripted raw peer: we write its messages by hand and read what the session sends. */
function rawPeer(cfg: Partial<PeerConfig> = {}) {
  const sched = new ManualScheduler();
  const [ours, theirs] = duplexPair();
  withAddresses(ours, '10.0.0.1', '10.0.0.2');
  const received: BgpMessage[] = [];
  const reader = new MessageReader(() => ctx);
  // Behave like a TCP peer: close our side once the session closes its side.
  theirs.on('end', () => theirs.end());
  theirs.on('data', (c: Buffer) => {
    reader.push(c);
    for (let r = reader.next(); r; r = reader.next()) if (r.ok) received.push(r.msg);
  });
  const s = new BgpSession({ ...baseA, passive: true, ...cfg }, { scheduler: sched, random: () => 0.999 });
  sessions.push(s);
  s.start();
  expect(s.acceptIncoming(ours)).toBe(true);
  const send = (m: BgpMessage) => theirs.write(encodeMessage(m, ctx));
  const open = (over: Partial<Extract<BgpMessage, { type: 1 }>> = {}): BgpMessage => ({
    type: 1,
    version: 4,
    myAs: 65002,
    holdTime: 3,
    routerId: '10.0.0.2',
    capabilities: { multiprotocol: [{ afi: 1, safi: 1 }], routeRefresh: true, enhancedRouteRefresh: false, extendedMessage: false, extendedNextHop: [], fourOctetAs: 65002, unknown: [] },
    ...over,
  });
  return { s, sched, send, open, received, theirs };
}

describe('BgpSession against a scripted peer', () => {
  it('a silent peer is detected by hold-timer expiry (hold 3 s) and gets 4/0', async () => {
    const p = rawPeer({ holdTime: 3 });
    p.send(p.open());
    p.send({ type: 4 });
    await until(() => p.s.state === 'Established', 'Established');
    p.sched.advance(2999);
    await tick();
    expect(p.s.state).toBe('Established');
    p.sched.advance(2);
    await until(() => p.s.state === 'Idle', 'hold expiry');
    await until(() => p.received.some((m) => m.type === 3), 'notification');
    const n = p.received.find((m) => m.type === 3);
    expect(n && n.type === 3 && [n.code, n.subcode]).toEqual([4, 0]);
    expect(p.s.counters.lastError?.text).toBe('sent Hold timer expired');
  });

  it('a hold timer that fires while input is pending (we were stalled) is re-armed, not fatal', async () => {
    const p = rawPeer({ holdTime: 3 });
    p.send(p.open());
    p.send({ type: 4 });
    await until(() => p.s.state === 'Established', 'Established');
    // the peer's KEEPALIVE is already in flight when our overdue hold timer runs
    p.send({ type: 4 });
    p.sched.advance(3001);
    await until(() => p.s.counters.messagesIn.keepalive === 2, 'second keepalive');
    expect(p.s.state).toBe('Established');
    expect(p.s.timerStatus('hold')?.ms).toBe(3000);
  });

  it('RFC 7606: an UPDATE with a bad ORIGIN is passed on as treat-as-withdraw, counted, session stays up', async () => {
    const got: ReceivedUpdate[] = [];
    const p = rawPeer({ holdTime: 3 });
    p.s.setUpdateConsumer((b) => void got.push(...b));
    p.send(p.open());
    p.send({ type: 4 });
    await until(() => p.s.state === 'Established', 'Established');
    const good = update(5);
    const bad = Buffer.from(good);
    // first attribute is ORIGIN: flags 0x40, type 1, length 1, value → 3 (invalid)
    expect([bad[23], bad[24], bad[25]]).toEqual([0x40, 1, 1]);
    bad[26] = 3;
    p.theirs.write(bad);
    p.theirs.write(good);
    await until(() => got.length === 2, 'two updates');
    expect(got[0]!.action).toBe(2); // TREAT_AS_WITHDRAW
    expect(got[0]!.problems.length).toBeGreaterThan(0);
    expect(got[1]!.action).toBe(0);
    expect(p.s.counters.treatAsWithdraw).toBe(1);
    expect(p.s.state).toBe('Established');
  });

  it('RFC 9687: a peer that stops reading is closed with NOTIFICATION 8 after the send hold time', async () => {
    const p = rawPeer({ holdTime: 3, sendHoldTime: 10 });
    p.send(p.open());
    p.send({ type: 4 });
    await until(() => p.s.state === 'Established', 'Established');
    p.theirs.pause(); // the peer stops reading (but would keep sending keepalives)
    p.theirs.removeAllListeners('data');
    const burst = Array.from({ length: 2000 }, (_, i) => update(i & 0xff));
    expect(p.s.send(burst)).toBe(false);
    for (let i = 0; i < 9; i++) {
      p.send({ type: 4 }); // the peer's keepalives keep our receive hold timer happy
      p.sched.advance(1000);
      await tick();
    }
    expect(p.s.state).toBe('Established');
    p.sched.advance(1500);
    await tick();
    expect(p.s.state).toBe('Idle');
    expect(p.s.counters.lastSentError?.text).toBe('sent Send hold timer expired');
  });

  it('a NOTIFICATION immediately followed by the close is still read and reported', async () => {
    const p = rawPeer();
    p.send(p.open());
    p.send({ type: 4 });
    await until(() => p.s.state === 'Established', 'Established');
    const ours = (p.s as unknown as { conn: { socket: BgpSocket } }).conn.socket;
    const notif = encodeMessage({ type: 3, code: 6, subcode: 3, data: new Uint8Array(0) }, ctx);
    // the bytes and the close arrive in the same turn, before the deferred decode runs
    ours.emit('data', notif);
    ours.emit('close');
    expect(p.s.counters.lastReceivedError?.text).toBe('received Cease/Peer de-configured');
    expect(p.s.state).toBe('Idle');
  });

  it('hold time 1 in the peer OPEN is refused with 2/6', async () => {
    const p = rawPeer();
    p.send(p.open({ holdTime: 1 }));
    await until(() => p.received.some((m) => m.type === 3), 'notification');
    const n = p.received.find((m) => m.type === 3);
    expect(n && n.type === 3 && [n.code, n.subcode]).toEqual([2, 6]);
  });

  it('an UPDATE before Established is an FSM error (5/1 in OpenSent)', async () => {
    const p = rawPeer();
    p.theirs.write(update(1));
    await until(() => p.received.some((m) => m.type === 3), 'notification');
    const n = p.received.find((m) => m.type === 3);
    expect(n && n.type === 3 && [n.code, n.subcode]).toEqual([5, 1]);
  });

  it('a malformed header resets the session with the codec NOTIFICATION', async () => {
    const p = rawPeer();
    const bad = Buffer.alloc(19, 0xff);
    bad[0] = 0; // marker not all ones
    bad.writeUInt16BE(19, 16);
    bad[18] = 4;
    p.theirs.write(bad);
    await until(() => p.received.some((m) => m.type === 3), 'notification');
    const n = p.received.find((m) => m.type === 3);
    expect(n && n.type === 3 && n.code).toBe(1);
    expect(p.s.state).toBe('Idle');
  });
});
