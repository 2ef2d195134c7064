// The speaker's TCP-MD5 wiring against the real kernel, on loopback TCP (no BGP daemon, no peering):
// a peer's password becomes a key on the shared listener, follows password changes, goes with the peer.
import { describe, it, expect, afterEach } from 'vitest';
import type { PeerConfig } from '../../config/types';
import { BgpListener, tcpConnector, tcpMd5Connector } from '../session/transport';
import type { BgpSocket, Connector } from '../session/transport';
import { Speaker } from './speaker';
import { fromConfig } from './peer-map';
import { GR_OFF, nodeConfig, peerConfig } from './test-speakers';

const config = nodeConfig(65001, '10.0.0.1', { gracefulRestart: GR_OFF });
const peerCfg = (p: Partial<PeerConfig>): PeerConfig => peerConfig({ name: 'tor', address: '127.0.0.3', asNumber: 65002, passive: true, gracefulRestart: GR_OFF, ...p });

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** 'connect' or 'timeout' (SYN dropped for a missing or wrong signature), from 127.0.0.3; expected drops wait 400 ms. */
function attempt(connector: Connector, port: number, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    const s: BgpSocket = connector({ host: '127.0.0.1', port, localAddress: '127.0.0.3' });
    cleanup.push(() => void s.destroy());
    const timer = setTimeout(() => resolve('timeout'), ms);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve('connect');
    });
    s.once('error', () => {});
  });
}

describe('speaker: peer passwords on the listener', () => {
  it('installs the key with the peer, replaces it on a password change, removes it with the peer', async () => {
    const listener = new BgpListener({ address: '127.0.0.1', port: 0 });
    await listener.listen();
    cleanup.push(() => listener.close());
    const speaker = new Speaker({ config, logger: { debug() {}, info() {}, warn() {}, error() {} }, listener });
    cleanup.push(() => speaker.shutdown('test over'));
    speaker.start();

    speaker.addPeer(fromConfig(config, peerCfg({ password: 'first' })));
    await listener.keysSettled();
    expect(await attempt(tcpConnector, listener.port, 400)).toBe('timeout');
    expect(await attempt(tcpMd5Connector('first'), listener.port)).toBe('connect');

    expect(await speaker.updatePeer(fromConfig(config, peerCfg({ password: 'second' })))).toBe('reset');
    await listener.keysSettled();
    expect(await attempt(tcpMd5Connector('first'), listener.port, 400)).toBe('timeout');
    expect(await attempt(tcpMd5Connector('second'), listener.port)).toBe('connect');

    await speaker.removePeer('tor');
    await listener.keysSettled();
    const refused = listener.refusedUnknown;
    expect(await attempt(tcpConnector, listener.port)).toBe('connect'); // unsigned gets through, then refused as unknown
    await expect.poll(() => listener.refusedUnknown).toBe(refused + 1);
  });
});
