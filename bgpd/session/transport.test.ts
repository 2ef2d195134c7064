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
function probe(port: number, host = '127.0.0.1'): Promise<{ bytes: number; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
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

  it('normalizes IPv6 to RFC 5952 text, as Node writes remoteAddress', () => {
    expect(normalizeAddress('2001:db8:0::2')).toBe('2001:db8::2');
    expect(normalizeAddress('2001:0DB8:0000:0000:0000:0000:0000:0002')).toBe('2001:db8::2');
    expect(normalizeAddress('fd00:0:0:1:0:0:0:1')).toBe('fd00:0:0:1::1');
    expect(normalizeAddress('::FFFF:C000:0201')).toBe('192.0.2.1');
    expect(normalizeAddress('0:0:0:0:0:ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('NOT-AN-IP')).toBe('not-an-ip');
  });

  it('accepts a connection from ::1 for a peer registered as 0000:0:0:0:0:0:0:0001', async () => {
    const l = new BgpListener({ address: '::1', port: 0 });
    listeners.push(l);
    const got: BgpSocket[] = [];
    l.register({ peerAddress: '0000:0:0:0:0:0:0:0001', acceptIncoming: (s) => got.push(s) > 0 });
    await l.listen();
    const r = await probe(l.port, '::1');
    expect(r.closed).toBe(false);
    expect(got).toHaveLength(1);
    expect(got[0]!.remoteAddress).toBe('::1');
    expect(l.refusedUnknown).toBe(0);
    got[0]!.destroy();
  });
});
