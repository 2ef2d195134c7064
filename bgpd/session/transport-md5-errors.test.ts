// A kernel without CONFIG_TCP_MD5SIG, simulated: every TCP_MD5SIG setsockopt fails with ENOPROTOOPT.
import { describe, it, expect, vi } from 'vitest';
import { BgpListener, tcpMd5Connector, tcpMd5Problem, loadTcpMd5 } from './transport';
import type { Logger } from './peer-config';

vi.mock('../../dataplane/sockopt/index', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../dataplane/sockopt/index')>();
  const ENOPROTOOPT = 92;
  return {
    ...real,
    setTcpMd5Key: (_fd: number, _family: number, peer: string) => {
      throw new real.TcpMd5Error(ENOPROTOOPT, `TCP-MD5 key for ${peer}`);
    },
    tcpMd5Unsupported: () => new real.TcpMd5Error(ENOPROTOOPT, 'TCP-MD5 unavailable'),
  };
});

describe('TCP-MD5 on a kernel without TCP_MD5SIG', () => {
  it('the probe names the errno', async () => {
    expect(await tcpMd5Problem()).toEqual({ errno: 'ENOPROTOOPT', message: 'TCP-MD5 unavailable: ENOPROTOOPT (kernel without CONFIG_TCP_MD5SIG?)' });
  });

  it('the connector fails with an error whose code is the errno, asynchronously, without the password', async () => {
    await loadTcpMd5();
    const s = tcpMd5Connector('hunter2')({ host: '127.0.0.1', port: 9 });
    const events: string[] = [];
    s.on('connect', () => events.push('connect'));
    const closed = new Promise((r) => s.once('close', r));
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => s.once('error', resolve));
    expect(err.code).toBe('ENOPROTOOPT');
    expect(err.message).toBe('TCP-MD5 key for 127.0.0.1: ENOPROTOOPT (kernel without CONFIG_TCP_MD5SIG?)');
    await closed;
    expect(events).toEqual([]);
  });

  it('the listener logs an error naming the peer and errno and keeps running', async () => {
    const lines: string[] = [];
    const rec = (o: Record<string, unknown>, m: string) => lines.push(`${m} ${JSON.stringify(o)}`);
    const logger: Logger = { debug() {}, info() {}, warn: rec, error: rec };
    const l = new BgpListener({ address: '127.0.0.1', port: 0, logger });
    l.register({ peerAddress: '127.0.0.5', acceptIncoming: () => true }, { password: 'hunter2', name: 'tor1' });
    await l.listen();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cannot install TCP-MD5 key on the BGP listener.*"peer":"tor1".*"errno":"ENOPROTOOPT"/);
    expect(lines[0]).not.toContain('hunter2');
    expect(l.port).toBeGreaterThan(0);
    await l.close();
  });
});
