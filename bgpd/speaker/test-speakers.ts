// Test helpers for the speaker: node and peer configs with the tests' usual values (short timers,
// graceful restart on), a poller, and two speakers connected over memory — so a test file holds only
// what it checks.
import { duplexPair } from 'node:stream';
import type { Duplex } from 'node:stream';
import { afterEach } from 'vitest';
import type { PeerConfig } from '../../config/types';
import { silentLogger } from '../session/peer-config';
import type { Scheduler } from '../session/timers';
import type { BgpSocket, Connector } from '../session/transport';
import { fromConfig } from './peer-map';
import { Speaker } from './speaker';
import type { SpeakerConfig } from './speaker';

/** For peers and nodes that must not keep routes stale (frozen: shared by every config built with it). */
export const GR_OFF = Object.freeze({ enabled: false, restartTime: 120 });

export const nodeConfig = (asNumber: number, routerId: string, extra: Partial<SpeakerConfig> = {}): SpeakerConfig => ({
  asNumber, routerId, nodeToNodeMesh: false,
  timers: { holdTime: 9, keepaliveTime: 3, connectRetryTime: 1 },
  gracefulRestart: { enabled: true, restartTime: 120 },
  multipath: { maxPaths: 1 },
  policies: [],
  ...extra,
});

export const peerConfig = (p: Partial<PeerConfig> & Pick<PeerConfig, 'name' | 'address' | 'asNumber'>): PeerConfig => ({
  port: 179, passive: false, holdTime: 9, keepaliveTime: 3, connectRetryTime: 1, routeReflectorClient: false,
  nextHopSelf: false, allowAsIn: 0, gracefulRestart: { enabled: true, restartTime: 120 }, families: ['ipv4'],
  importPolicy: [], exportPolicy: [], ...p,
});

/** Polls `fn` every 5 ms until it is truthy; fails after `ms` naming `what`. An exception from `fn` fails at once. */
export async function until(fn: () => unknown, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface PairOptions {
  /** B's settings for its peer A. */
  readonly bPeer?: Partial<PeerConfig>;
  readonly aPolicies?: SpeakerConfig['policies'];
  /** A's export policy toward B. */
  readonly aExport?: string[];
  /** A's session timers run on this (e.g. a ManualScheduler, to make a keepalive interval pass at will). */
  readonly aScheduler?: Scheduler;
}

export interface SpeakerPair {
  readonly a: Speaker;
  readonly b: Speaker;
  /** Both ends of every connection made, to kill them without a NOTIFICATION. */
  readonly sockets: Duplex[];
}

/**
 * Call at the top of a test file. Returns `pair()`: A (10.0.0.1, AS 65001) connecting out to B
 * (10.0.0.2, AS 65002, passive) over memory, neither started; both are shut down after each test.
 */
export function useSpeakerPairs(): (opts?: PairOptions) => SpeakerPair {
  const speakers: Speaker[] = [];
  afterEach(async () => {
    for (const s of speakers.splice(0)) await s.shutdown('test over');
  });
  return (opts = {}) => {
    const sockets: Duplex[] = [];
    let b: Speaker | undefined;
    const connector: Connector = (o) => {
      const [client, server] = duplexPair();
      for (const [s, local, remote] of [[client, '10.0.0.1', o.host], [server, o.host, '10.0.0.1']] as const) {
        Object.defineProperty(s, 'remoteAddress', { value: remote });
        Object.defineProperty(s, 'localAddress', { value: local });
      }
      sockets.push(client, server);
      process.nextTick(() => {
        const target = b?.peer('10.0.0.1');
        if (target && target.session.acceptIncoming(server as BgpSocket)) client.emit('connect');
        else client.destroy(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
      });
      return client as BgpSocket;
    };
    const aNode = nodeConfig(65001, '10.0.0.1', { policies: opts.aPolicies ?? [] });
    // random 0.999: A's jittered timers (RFC 4271 §10) at their longest, the same in every run
    const a = new Speaker({ config: aNode, logger: silentLogger, sessionOptions: { connector, random: () => 0.999, ...(opts.aScheduler ? { scheduler: opts.aScheduler } : {}) } });
    a.addPeer(fromConfig(aNode, peerConfig({ name: 'b', address: '10.0.0.2', asNumber: 65002, exportPolicy: opts.aExport ?? [] })));
    const bNode = nodeConfig(65002, '10.0.0.2');
    b = new Speaker({ config: bNode, logger: silentLogger });
    b.addPeer(fromConfig(bNode, peerConfig({ name: 'a', address: '10.0.0.1', asNumber: 65001, passive: true, ...opts.bPeer })));
    speakers.push(a, b);
    return { a, b, sockets };
  };
}
