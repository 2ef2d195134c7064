// Measures the session's receive path without sockets: two BgpSessions joined by an in-memory
// duplex pair, real timers. Run: npx tsx bgpd/session/bench-throughput.ts [count]
// 1) N single-prefix UPDATEs (unique MED each) from A to B: time until B's consumer has all.
// 2) The same with a consumer that blocks the event loop 20 ms per batch: the largest gap between
//    KEEPALIVEs B sends (keepalive 1 s) shows whether timers keep running while the RIB is busy.

import { duplexPair } from 'node:stream';
import { BgpSession } from './session';
import type { UpdateConsumer } from './session';
import type { PeerConfig } from './peer-config';
import type { BgpSocket, Connector } from './transport';
import { codecContextFor } from './open-negotiation';
import { encodeMessage } from '../wire';
import type { UpdateMessage } from '../wire/types';

const N = Number(process.argv[2] ?? 100_000);

function link(getTarget: () => BgpSession): Connector {
  return () => {
    const [client, server] = duplexPair();
    for (const [s, r] of [[client, '10.0.0.2'], [server, '10.0.0.1']] as const) Object.defineProperty(s, 'remoteAddress', { value: r });
    process.nextTick(() => {
      getTarget().acceptIncoming(server as BgpSocket);
      client.emit('connect');
    });
    return client as BgpSocket;
  };
}

async function run(label: string, consumer: (count: (n: number) => void) => UpdateConsumer, hold: number): Promise<void> {
  const a: PeerConfig = { name: 'a', localAs: 65001, peerAs: 65002, routerId: '10.0.0.1', peerAddress: '10.0.0.2', holdTime: hold };
  const b: PeerConfig = { name: 'b', localAs: 65002, peerAs: 65001, routerId: '10.0.0.2', peerAddress: '10.0.0.1', holdTime: hold, passive: true };
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const sb = new BgpSession(b, { onUpdates: consumer((n) => ((received += n), received >= N && done())) });
  const sa = new BgpSession(a, { connector: link(() => sb) });
  const kaTimes: number[] = [];
  sb.on('established', () => {
    // sample B's keepalive counter to find the largest gap between sends
    let last = sb.counters.messagesOut.keepalive;
    const iv = setInterval(() => {
      const k = sb.counters.messagesOut.keepalive;
      if (k !== last) kaTimes.push(performance.now());
      last = k;
    }, 5);
    void all.then(() => clearInterval(iv));
  });
  sb.start();
  sa.start();
  await new Promise<void>((r) => sa.once('established', () => r()));
  const ctx = codecContextFor(sa.negotiated);
  const bufs: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const msg: UpdateMessage = {
      type: 2,
      withdrawn: [],
      attrs: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '10.0.0.1', med: i },
      nlri: [String.fromCharCode(24, 16 + (i >> 16), (i >> 8) & 0xff, i & 0xff)],
    };
    bufs.push(encodeMessage(msg, ctx));
  }
  const t0 = performance.now();
  for (let i = 0; i < bufs.length; i += 1000) {
    if (!sa.send(bufs.slice(i, i + 1000))) await sa.drained();
  }
  await all;
  const ms = performance.now() - t0;
  let maxGap = 0;
  for (let i = 1; i < kaTimes.length; i++) maxGap = Math.max(maxGap, kaTimes[i]! - kaTimes[i - 1]!);
  console.log(
    `${label}: ${N} UPDATEs in ${ms.toFixed(0)} ms = ${Math.round(N / (ms / 1000))} UPDATE/s; ` +
      `B keepalives sent during run: ${kaTimes.length}, max gap ${maxGap.toFixed(0)} ms (interval ${Math.floor(hold / 3)} s); ` +
      `state A=${sa.state} B=${sb.state}`,
  );
  await Promise.all([sa.stop(), sb.stop()]);
}

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // burn CPU like a RIB that is busy with a big batch
  }
}

await run('fast consumer', (count) => (batch) => count(batch.length), 3);
await run('blocking consumer (20 ms per batch of 256)', (count) => (batch) => {
  busyFor(20);
  count(batch.length);
}, 3);
await run('async consumer (5 ms per batch, backpressure)', (count) => async (batch) => {
  await new Promise((r) => setTimeout(r, 5));
  count(batch.length);
}, 3);
