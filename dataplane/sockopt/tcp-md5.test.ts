// Real setsockopt calls on unconnected sockets: no root, no traffic (a key is socket state only).
import { describe, it, expect, afterEach } from 'vitest';
import { AF_INET, AF_INET6, TcpMd5Error, closeFd, deleteTcpMd5Key, openTcpSocket, setTcpMd5Key, tcpMd5Unsupported } from './index';

const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeFd(fd);
});
const sock = (family: typeof AF_INET | typeof AF_INET6) => {
  const fd = openTcpSocket(family);
  fds.push(fd);
  return fd;
};

describe('TCP-MD5 keys on sockets (this kernel has CONFIG_TCP_MD5SIG)', () => {
  it('reports the kernel as supporting TCP-MD5', () => {
    expect(tcpMd5Unsupported()).toBeUndefined();
  });

  it('sets, replaces and deletes keys for IPv4 and IPv6 peers; a second delete finds nothing', () => {
    const v4 = sock(AF_INET);
    setTcpMd5Key(v4, AF_INET, '198.18.0.2', 'one');
    setTcpMd5Key(v4, AF_INET, '198.18.0.2', 'two');
    expect(deleteTcpMd5Key(v4, AF_INET, '198.18.0.2')).toBe(true);
    expect(deleteTcpMd5Key(v4, AF_INET, '198.18.0.2')).toBe(false);

    const v6 = sock(AF_INET6);
    setTcpMd5Key(v6, AF_INET6, 'fd00::2', 'x'.repeat(80));
    setTcpMd5Key(v6, AF_INET6, '198.18.0.2', 'mapped'); // IPv4 peer on a dual-stack socket
    expect(deleteTcpMd5Key(v6, AF_INET6, '198.18.0.2')).toBe(true);
    expect(deleteTcpMd5Key(v6, AF_INET6, 'fd00::2')).toBe(true);
    expect(deleteTcpMd5Key(v6, AF_INET6, 'fd00::2')).toBe(false);
  });

  it('turns a failing setsockopt into a TcpMd5Error naming the peer and errno', () => {
    let err: unknown;
    try {
      setTcpMd5Key(-1, AF_INET, '198.18.0.2', 'secret');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TcpMd5Error);
    expect((err as TcpMd5Error).errno).toBe('EBADF');
    expect((err as Error).message).toBe('TCP-MD5 key for 198.18.0.2: EBADF');
    expect((err as Error).message).not.toContain('secret');
  });
});
