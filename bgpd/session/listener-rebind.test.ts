// BgpListener.rebind: the BGPConfiguration listenPort moves the listener while sessions stay up.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpListener } from './transport';
import type { BgpSocket } from './transport';

const listeners: BgpListener[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  for (const l of listeners.splice(0)) await l.close();
});

const connect = (port: number): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
    cleanups.push(() => s.destroy());
  });

/** A free port: bind an ephemeral one and let it go. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('BgpListener.rebind', () => {
  it('moves to the new port; a connection accepted before keeps working; the old port is closed', async () => {
    const l = new BgpListener({ address: '127.0.0.1', port: 0 });
    listeners.push(l);
    const got: BgpSocket[] = [];
    l.register({ peerAddress: '127.0.0.1', acceptIncoming: (s) => (got.push(s), cleanups.push(() => s.destroy()), true) });
    await l.listen();
    const oldPort = l.port;
    const early = await connect(oldPort);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);

    const to = await freePort();
    await l.rebind(to);
    expect(l.port).toBe(to);
    // the accepted socket still carries data both ways
    got[0].resume();
    const echoed = new Promise<string>((r) => early.once('data', (d) => r(String(d))));
    got[0].write('still here');
    expect(await echoed).toBe('still here');
    await connect(to);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(2);
    await expect(connect(oldPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a port in use: rejects and keeps serving the old one', async () => {
    const l = new BgpListener({ address: '127.0.0.1', port: 0 });
    listeners.push(l);
    let accepted = 0;
    l.register({ peerAddress: '127.0.0.1', acceptIncoming: (s) => (accepted++, cleanups.push(() => s.destroy()), true) });
    await l.listen();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => busy.close());
    await expect(l.rebind((busy.address() as net.AddressInfo).port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await connect(l.port);
    await new Promise((r) => setTimeout(r, 20));
    expect(accepted).toBe(1);
  });
});
