// Peers without a password must not load koffi (the TCP-MD5 bindings): checked in a fresh process,
// where a loaded koffi shows as its native library in /proc/self/maps.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = `
import { readFileSync } from 'node:fs';
const koffiMapped = () => readFileSync('/proc/self/maps', 'utf8').includes('koffi');
const { Speaker } = await import('./bgpd/speaker/speaker.ts');
const { fromConfig } = await import('./bgpd/speaker/peer-map.ts');
const { BgpListener } = await import('./bgpd/session/transport.ts');
const config = { asNumber: 65001, routerId: '10.0.0.1', nodeToNodeMesh: false, timers: { holdTime: 9, keepaliveTime: 3, connectRetryTime: 1 },
  gracefulRestart: { enabled: false, restartTime: 120 }, multipath: { maxPaths: 1 }, policies: [] };
// passive peers: nothing is sent anywhere
const peer = (name, address, extra) => fromConfig(config, { name, address, asNumber: 65002, port: 179, passive: true, holdTime: 9, keepaliveTime: 3,
  connectRetryTime: 1, routeReflectorClient: false, nextHopSelf: false, allowAsIn: 0, gracefulRestart: { enabled: false, restartTime: 120 },
  families: ['ipv4'], importPolicy: [], exportPolicy: [], ...extra });
const listener = new BgpListener({ address: '127.0.0.1', port: 0 });
await listener.listen();
const speaker = new Speaker({ config, logger: { debug() {}, info() {}, warn() {}, error() {} }, listener });
speaker.addPeer(peer('plain', '198.18.0.2', {}));
speaker.start();
await listener.keysSettled();
const plain = koffiMapped();
speaker.addPeer(peer('signed', '198.18.0.3', { password: 'pw' }));
await listener.keysSettled();
console.log(JSON.stringify({ plain, signed: koffiMapped() }));
await speaker.shutdown('done');
await listener.close();
`;

describe('TCP-MD5 bindings load lazily', () => {
  it('a speaker with only password-less peers has no koffi; the first password peer loads it', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ plain: false, signed: true });
  });
});
