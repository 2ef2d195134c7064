// Communities on originated prefixes (BGPConfiguration prefixAdvertisements): carried to the peer,
// replaced in place when they change, kept when another source re-originates the prefix without any.
import { describe, it, expect, afterEach } from 'vitest';
import { duplexPair } from 'node:stream';
import type { PeerConfig } from '../../config/types';
import type { BgpSocket, Connector } from '../session/transport';
import { Speaker } from './speaker';
import type { SpeakerConfig } from './speaker';
import { fromConfig } from './peer-map';
import { peerRow, routesView } from './views';

async function until(fn: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const node = (asNumber: number, routerId: string): SpeakerConfig => ({
  asNumber, routerId, nodeToNodeMesh: false,
  timers: { holdTime: 9, keepaliveTime: 3, connectRetryTime: 1 },
  gracefulRestart: { enabled: true, restartTime: 120 },
  multipath: { maxPaths: 1 },
  policies: [],
});
const peerCfg = (p: Pick<PeerConfig, 'name' | 'address' | 'asNumber'> & Partial<PeerConfig>): PeerConfig => ({
  port: 179, passive: false, holdTime: 9, keepaliveTime: 3, connectRetryTime: 1, routeReflectorClient: false,
  nextHopSelf: false, allowAsIn: 0, gracefulRestart: { enabled: true, restartTime: 120 }, families: ['ipv4'],
  importPolicy: [], exportPolicy: [], ...p,
});
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const speakers: Speaker[] = [];
afterEach(async () => {
  for (const s of speakers.splice(0)) await s.shutdown('test over');
});

function pair(): { a: Speaker; b: Speaker } {
  let b: Speaker | undefined;
  const connector: Connector = (o) => {
    const [client, server] = duplexPair();
    for (const [s, local, remote] of [[client, '10.0.0.1', o.host], [server, o.host, '10.0.0.1']] as const) {
      Object.defineProperty(s, 'remoteAddress', { value: remote });
      Object.defineProperty(s, 'localAddress', { value: local });
    }
    process.nextTick(() => {
      if (b?.peer('10.0.0.1')?.session.acceptIncoming(server as BgpSocket)) client.emit('connect');
      else client.destroy(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    });
    return client as BgpSocket;
  };
  const aNode = node(65001, '10.0.0.1');
  const a = new Speaker({ config: aNode, logger: silent, sessionOptions: { connector, random: () => 0.999 } });
  a.addPeer(fromConfig(aNode, peerCfg({ name: 'b', address: '10.0.0.2', asNumber: 65002 })));
  const bNode = node(65002, '10.0.0.2');
  b = new Speaker({ config: bNode, logger: silent });
  b.addPeer(fromConfig(bNode, peerCfg({ name: 'a', address: '10.0.0.1', asNumber: 65001, passive: true })));
  speakers.push(a, b);
  return { a, b };
}

const pathAt = async (s: Speaker, prefix: string) => (await routesView(s, { prefix })).find((r) => r.prefix === prefix)?.paths[0];

describe('Speaker.originate with attributes', () => {
  it('sends the communities, re-announces a changed set, keeps it when a source re-originates without one', async () => {
    const { a, b } = pair();
    a.originate('10.244.1.0/26', 'ipam', { communities: [65001 * 65536 + 100], largeCommunities: [{ global: 65001, local1: 1, local2: 2 }] });
    a.start();
    b.start();
    await until(() => peerRow(b, b.peer('a')!).accepted === 1, 'B has the route');
    expect(await pathAt(b, '10.244.1.0/26')).toMatchObject({ communities: ['65001:100'], largeCommunities: ['65001:1:2'] });

    a.originate('10.244.1.0/26', 'ipam', { communities: [65001 * 65536 + 200] });
    await until(async () => (await pathAt(b, '10.244.1.0/26'))?.communities[0] === '65001:200', 'new community at B');
    expect((await pathAt(b, '10.244.1.0/26'))?.largeCommunities).toEqual([]);

    // the config file's advertisePrefixes names the same prefix: one route, attributes unchanged
    a.originate('10.244.1.0/26', 'config');
    a.withdraw('10.244.1.0/26', 'ipam');
    await until(() => !a.rib.pending, 'A idle');
    expect(await pathAt(a, '10.244.1.0/26')).toMatchObject({ from: 'local', communities: ['65001:200'] });
    a.originate('10.244.1.0/26', 'config', {});
    await until(async () => (await pathAt(b, '10.244.1.0/26'))?.communities.length === 0, 'communities cleared at B');
  });
});
