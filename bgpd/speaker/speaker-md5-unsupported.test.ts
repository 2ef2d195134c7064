// A kernel without CONFIG_TCP_MD5SIG, simulated: the password peer stays Idle with a logged error
// naming the peer and the errno; the daemon and the other peers carry on.
import { describe, it, expect, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import type { PeerConfig } from '../../config/types';
import type { BgpSocket } from '../session/transport';
import { Speaker } from './speaker';
import { fromConfig } from './peer-map';
import { GR_OFF, nodeConfig, peerConfig } from './test-speakers';
import { peerRow } from './views';

vi.mock('../../dataplane/sockopt/index', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../dataplane/sockopt/index')>();
  return { ...real, tcpMd5Unsupported: () => new real.TcpMd5Error(92, 'TCP-MD5 unavailable') };
});

const config = nodeConfig(65001, '10.0.0.1', { gracefulRestart: GR_OFF });
const peerCfg = (p: Partial<PeerConfig>): PeerConfig => peerConfig({ name: 'x', address: '198.18.0.2', asNumber: 65002, passive: false, gracefulRestart: GR_OFF, ...p });

describe('speaker: TCP-MD5 unavailable', () => {
  it('keeps the password peer Idle with an error naming it and the errno; other peers start', async () => {
    const lines: string[] = [];
    const rec = (level: string) => (o: Record<string, unknown>, m: string) => lines.push(`${level} ${m} ${JSON.stringify(o)}`);
    const logger = { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
    // a connection attempt that never completes: enough to see a session leave Idle
    const connector = () => new PassThrough() as unknown as BgpSocket;
    const speaker = new Speaker({ config, logger, sessionOptions: { connector } });
    const secret = speaker.addPeer(fromConfig(config, peerCfg({ name: 'tor-md5', password: 'hunter2' })))!;
    const plain = speaker.addPeer(fromConfig(config, peerCfg({ name: 'tor-plain', address: '198.18.0.3' })))!;
    speaker.start();
    await expect.poll(() => lines.some((l) => l.startsWith('error TCP-MD5 unavailable'))).toBe(true);
    const err = lines.find((l) => l.startsWith('error TCP-MD5 unavailable'))!;
    expect(err).toContain('"peer":"tor-md5"');
    expect(err).toContain('"errno":"ENOPROTOOPT"');
    expect(secret.session.state).toBe('Idle');
    expect(peerRow(speaker, secret).lastError).toBe('Socket: TCP-MD5 unavailable: ENOPROTOOPT (kernel without CONFIG_TCP_MD5SIG?)');
    expect(plain.session.state).not.toBe('Idle');
    expect(lines.join('\n')).not.toContain('hunter2');
    await speaker.shutdown('test over');
  });
});
