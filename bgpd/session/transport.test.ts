import { describe, it, expect, afterEach } from 'vitest';
import * as net from 'node:net';
import { BgpListener, normalizeAddress } from './transport';
import type { BgpSocket, IncomingAcceptor } from './transport';

// Loopback only, and no BGP is spoken: this checks the accept/refuse decision of the listener.
const listeners: BgpListener[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
});

/** Connects and resolves with what the server sent before closing, or 'open' if still open after 300 ms. */
function probe(port: number): Promise<{ bytes: number; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let bytes = 0;
    s.on('data', (d) => (bytes += d.length));
    s.on('error', () => {});
    s.on('close', () => resolve({ bytes, closed: true }));
    setTimeout(() => {
      resolve({ bytes, closed: false });
      s.destroy();
    }, 300);
  });
}

describe('BgpListener', () => {
  it('closes connections from unknown peers without sending anything', async () => {
    const warnings: string[] = [];
    const l = new BgpListener({
      address: '127.0.0.1',
      port: 0,
      logger: { debug() {}, info() {}, warn: (_o, m) => warnings.push(m), error() {} },
    });
    listeners.push(l);
    l.register({ peerAddress: '127.0.0.9', acceptIncoming: () => true });
    await l.listen();
    const r = await probe(l.port);
    expect(r).toEqual({ bytes: 0, closed: true });
    expect(l.refusedUnknown).toBe(1);
    expect(warnings).toEqual(['refusing BGP connection from unknown peer']);
  });

  it('hands connections from a configured peer to its session, or closes them when it declines', async () => {
    const l = new BgpListener({ address: '127.0.0.1', port: 0 });
    listeners.push(l);
    const got: BgpSocket[] = [];
    let accept = true;
    const peer: IncomingAcceptor = {
      peerAddress: '127.0.0.1',
      acceptIncoming: (s) => {
        got.push(s);
        return accept;
      },
    };
    l.register(peer);
    await l.listen();
    const kept = await probe(l.port);
    expect(kept.closed).toBe(false);
    expect(got).toHaveLength(1);
    got[0]!.destroy();
    accept = false;
    const declined = await probe(l.port);
    expect(declined).toEqual({ bytes: 0, closed: true });
    l.unregister(peer);
    expect((await probe(l.port)).closed).toBe(true);
    expect(l.refusedUnknown).toBe(1);
  });

  it('normalizes IPv4-mapped IPv6 addresses', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('FD00::1')).toBe('fd00::1');
    expect(normalizeAddress(undefined)).toBe('');
  });
});
