// RFC 2385 TCP-MD5 keys on sockets, through koffi (Node has no setsockopt). Keys are per peer
// address and live on the socket: on a listening socket they are inherited by every accepted
// connection; on an outgoing socket they must be in place before connect(), since the SYN is signed.
import { errnoName } from '../netlink/errors';
import { lastErrno, libc, sysClose, sysSocket } from '../netlink/libc';
import { AF_INET, AF_INET6, IPPROTO_TCP, TCP_MD5SIG, encodeTcpMd5Sig, keyAddress, keyBytes } from './tcp-md5-sig';
import type { SocketFamily } from './tcp-md5-sig';

const setsockoptFn = libc.func('int setsockopt(int fd, int level, int optname, void *optval, uint32_t optlen)');

const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const ENOENT = 2;

/** A failed socket call. The message names the operation, the peer and the errno — never the key. */
export class TcpMd5Error extends Error {
  /** errno name, e.g. 'ENOPROTOOPT' (kernel built without CONFIG_TCP_MD5SIG) */
  readonly errno: string;
  readonly code: number;
  constructor(code: number, what: string) {
    const name = errnoName(code);
    const hint = name === 'ENOPROTOOPT' ? ' (kernel without CONFIG_TCP_MD5SIG?)' : '';
    super(`${what}: ${name}${hint}`);
    this.name = 'TcpMd5Error';
    this.errno = name;
    this.code = code;
  }
}

function setsockoptMd5(fd: number, socketFamily: SocketFamily, peer: string, key: Buffer, what: string): number {
  const sig = encodeTcpMd5Sig({ ...keyAddress(socketFamily, peer), key });
  if (setsockoptFn(fd, IPPROTO_TCP, TCP_MD5SIG, sig, sig.length) === 0) return 0;
  const code = lastErrno();
  if (code === ENOENT && key.length === 0) return code;
  throw new TcpMd5Error(code, what);
}

/** Installs (or replaces) the key for `peer` on `fd`. Throws TcpMd5Error. */
export function setTcpMd5Key(fd: number, socketFamily: SocketFamily, peer: string, password: string): void {
  setsockoptMd5(fd, socketFamily, peer, keyBytes(password), `TCP-MD5 key for ${peer}`);
}

/** Removes the key for `peer` from `fd`; false when there was none. Throws TcpMd5Error on other errors. */
export function deleteTcpMd5Key(fd: number, socketFamily: SocketFamily, peer: string): boolean {
  return setsockoptMd5(fd, socketFamily, peer, Buffer.alloc(0), `TCP-MD5 key removal for ${peer}`) === 0;
}

/** A non-blocking, close-on-exec TCP socket (for Node to connect later: new net.Socket({ fd })). */
export function openTcpSocket(family: SocketFamily): number {
  const fd = sysSocket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new TcpMd5Error(lastErrno(), `socket(${family === AF_INET ? 'AF_INET' : 'AF_INET6'})`);
  return fd;
}

export function closeFd(fd: number): void {
  sysClose(fd);
}

let support: { error: TcpMd5Error | undefined } | undefined;

/**
 * undefined when this kernel takes TCP-MD5 keys, else the error (ENOPROTOOPT without
 * CONFIG_TCP_MD5SIG). Probed once on a scratch socket, keyed for a documentation address (RFC 5737):
 * setting a key sends nothing.
 */
export function tcpMd5Unsupported(): TcpMd5Error | undefined {
  if (support) return support.error;
  let fd = -1;
  try {
    fd = openTcpSocket(AF_INET);
    setTcpMd5Key(fd, AF_INET, '192.0.2.1', 'probe');
    support = { error: undefined };
  } catch (e) {
    if (!(e instanceof TcpMd5Error)) throw e;
    support = { error: new TcpMd5Error(e.code, 'TCP-MD5 unavailable') };
  } finally {
    if (fd >= 0) sysClose(fd);
  }
  return support.error;
}

export { AF_INET, AF_INET6 };
export type { SocketFamily };
