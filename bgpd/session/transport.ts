// TCP for BGP: outgoing connections from a chosen source address, and one shared listener that hands
// accepted sockets to the session of the matching configured peer. Unknown peers are closed before
// any BGP byte is exchanged. Peers with a password get RFC 2385 TCP-MD5 on both paths (see below).

import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { formatIP, parseIP } from '../../config/ip';
import type { Logger } from './peer-config';
import { silentLogger } from './peer-config';

type TcpMd5Bindings = typeof import('../../dataplane/sockopt/index');

/** The part of net.Socket the session uses; an in-memory Duplex can stand in for tests. */
export type BgpSocket = Duplex & {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  setNoDelay?(noDelay?: boolean): unknown;
};

export interface ConnectOptions {
  host: string;
  port: number;
  localAddress?: string;
}

/**
 * Starts an outgoing connection. The returned socket emits 'connect' once established, or 'error' /
 * 'close' on failure.
 */
export type Connector = (o: ConnectOptions) => BgpSocket;

export const tcpConnector: Connector = (o) => {
  const s = net.connect({ host: o.host, port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
  s.setNoDelay(true);
  return s;
};

// ---- TCP-MD5 ----------------------------------------------------------------------------------
// The bindings need koffi; they are imported on first use, so a speaker whose peers have no
// password never loads it, and its connections keep going through plain net.connect.

let md5: TcpMd5Bindings | undefined;
let md5Loading: Promise<TcpMd5Bindings> | undefined;

/** Loads the TCP-MD5 bindings once (tcpMd5Connector can only work after this resolved). */
export function loadTcpMd5(): Promise<TcpMd5Bindings> {
  md5Loading ??= import('../../dataplane/sockopt/index').then((m) => (md5 = m));
  return md5Loading;
}

export interface TcpMd5Problem {
  /** errno name when a syscall failed, e.g. 'ENOPROTOOPT' (kernel without CONFIG_TCP_MD5SIG) */
  errno?: string;
  message: string;
}

/** Loads the bindings and probes the kernel once: undefined when TCP-MD5 keys can be used here. */
export async function tcpMd5Problem(): Promise<TcpMd5Problem | undefined> {
  let m: TcpMd5Bindings;
  try {
    m = await loadTcpMd5();
  } catch (e) {
    return { message: `cannot load the TCP-MD5 bindings (koffi): ${e instanceof Error ? e.message : String(e)}` };
  }
  const err = m.tcpMd5Unsupported();
  return err ? { errno: err.errno, message: err.message } : undefined;
}

/** An Error whose `code` is the errno name, the shape session.ts logs (`connect: ENOPROTOOPT`). */
function errnoError(e: unknown): Error {
  const errno = (e as { errno?: unknown }).errno;
  const err = new Error(e instanceof Error ? e.message : String(e)) as NodeJS.ErrnoException;
  err.code = typeof errno === 'string' ? errno : 'EINVAL';
  return err;
}

/** A socket that only reports `err` (then closes) once the caller has attached its listeners. */
function failedSocket(err: Error): BgpSocket {
  const s = new net.Socket();
  process.nextTick(() => s.destroy(err));
  return s;
}

/**
 * A Connector that signs its connections with TCP-MD5. The SYN already carries the signature, so the
 * key must be on the socket before connect(), which net.connect cannot do: we open the socket
 * ourselves, set the key, wrap the fd in a net.Socket and let Node connect it (libuv's non-blocking
 * connect and completion polling, so 'connect' / 'error' / 'close' come exactly as from net.connect).
 * Needs loadTcpMd5() to have resolved; before that, or when the key cannot be set, the returned socket
 * fails with an Error whose code is the errno name. The password is never part of an error.
 */
export function tcpMd5Connector(password: string): Connector {
  return (o) => {
    const m = md5;
    if (!m) return failedSocket(errnoError({ errno: 'ENOTSUP', message: 'TCP-MD5 bindings not loaded' }));
    const family = net.isIPv6(o.host) ? m.AF_INET6 : m.AF_INET;
    let fd = -1;
    try {
      fd = m.openTcpSocket(family);
      m.setTcpMd5Key(fd, family, o.host, password);
      const s = new net.Socket({ fd });
      fd = -1; // the socket owns (and closes) it from here
      s.connect({ host: o.host, port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
      s.setNoDelay(true);
      return s;
    } catch (e) {
      if (fd >= 0) m.closeFd(fd);
      return failedSocket(errnoError(e));
    }
  };
}

/**
 * The file descriptor of a listening net.Server, or undefined before listen(). Node has no public
 * call for it; on Linux the server's libuv TCP handle exposes it as `_handle.fd`. Only used to set
 * socket options Node cannot (TCP-MD5 keys, which accepted connections inherit).
 */
export function listeningFd(server: net.Server): number | undefined {
  const fd = (server as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * The key the listener matches peers by: RFC 5952 text (config/ip.ts, as the config file's addresses
 * are), because Node gives remoteAddress canonical while a configured peer may be written
 * `2001:DB8:0::02`; an IPv4-mapped address (a dual-stack listener's "::ffff:10.0.0.1", however written)
 * is the IPv4 address. Text that is no address is only lower-cased.
 */
export function normalizeAddress(addr: string | undefined): string {
  if (!addr) return '';
  const ip = parseIP(addr);
  if (!ip) return addr.toLowerCase();
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return formatIP({ family: 4, value: ip.value & 0xffffffffn });
  return formatIP(ip);
}

export interface IncomingAcceptor {
  readonly peerAddress: string;
  /** Takes ownership of the socket, or returns false (and the listener closes it). */
  acceptIncoming(socket: BgpSocket): boolean;
}

export interface RegisterOptions {
  /** RFC 2385 TCP-MD5 key for this peer's incoming connections; absent = none. */
  password?: string;
  /** For log lines (default: the peer address). */
  name?: string;
}

interface WantedKey {
  password: string;
  name: string;
  acceptor: IncomingAcceptor;
}

export interface ListenerOptions {
  /** Listen address; default '::' (all, dual stack). */
  address?: string;
  /** Default 179. Use 0 for an ephemeral port (tests). */
  port?: number;
  logger?: Logger;
}

export class BgpListener {
  private server: net.Server;
  private readonly peers = new Map<string, IncomingAcceptor>();
  private readonly logger: Logger;
  /** Connections refused because no configured peer matched (for stats and tests). */
  refusedUnknown = 0;
  /** TCP-MD5 keys by normalized peer address: what should be on the socket, and what is. */
  private readonly md5Wanted = new Map<string, WantedKey>();
  private readonly md5Installed = new Map<string, string>();
  private md5Work: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ListenerOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.server = net.createServer({ pauseOnConnect: true }, (s) => this.onConnection(s));
  }

  /**
   * Hands this peer's incoming connections to `peer`. With a password its TCP-MD5 key is put on the
   * listening socket (now, or at listen()); the kernel then drops its unsigned or wrongly signed SYNs.
   */
  register(peer: IncomingAcceptor, opts: RegisterOptions = {}): void {
    const key = normalizeAddress(peer.peerAddress);
    this.peers.set(key, peer);
    if (opts.password !== undefined) {
      this.md5Wanted.set(key, { password: opts.password, name: opts.name ?? key, acceptor: peer });
      this.syncKeys();
    } else if (this.md5Wanted.delete(key)) {
      this.syncKeys();
    }
  }

  /** Stops handing connections to `peer` and removes its TCP-MD5 key, if it had one. */
  unregister(peer: IncomingAcceptor): void {
    const key = normalizeAddress(peer.peerAddress);
    if (this.peers.get(key) === peer) this.peers.delete(key);
    if (this.md5Wanted.get(key)?.acceptor === peer) {
      this.md5Wanted.delete(key);
      this.syncKeys();
    }
  }

  /** Resolves once the TCP-MD5 keys on the socket match the registered peers (errors are logged). */
  keysSettled(): Promise<void> {
    return this.md5Work;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.opts.address ?? '::', port: this.opts.port ?? 179 }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.logger.error({ err: err.message }, 'BGP listener error'));
        // Keys can only go on once the socket exists; until they are on, a signed SYN is dropped
        // by the kernel and the peer retries.
        this.syncKeys();
        resolve(this.md5Work);
      });
    });
  }

  /**
   * Moves to `port` while running (BGPConfiguration listenPort). The new socket is bound before the old
   * one closes, so a port in use leaves the old one serving (the promise rejects); accepted connections
   * are sockets of their own and stay up. TCP-MD5 keys belong to the listening socket: they are put on
   * the new one.
   */
  async rebind(port: number): Promise<void> {
    const next = net.createServer({ pauseOnConnect: true }, (s) => this.onConnection(s));
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen({ host: this.opts.address ?? '::', port }, () => {
        next.off('error', reject);
        resolve();
      });
    });
    next.on('error', (err) => this.logger.error({ err: err.message }, 'BGP listener error'));
    await this.md5Work;
    const old = this.server;
    this.server = next;
    this.md5Installed.clear();
    this.syncKeys();
    // stops accepting at once; its callback would wait for every accepted connection (the sessions) to end
    old.close();
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => {
      this.md5Installed.clear();
      resolve();
    }));
  }

  /** Queues a reconciliation of the socket's keys with md5Wanted (one at a time, in order). */
  private syncKeys(): void {
    this.md5Work = this.md5Work.then(() => this.applyKeys());
  }

  private async applyKeys(): Promise<void> {
    if (this.md5Wanted.size === 0 && this.md5Installed.size === 0) return;
    if (listeningFd(this.server) === undefined) return;
    let m: TcpMd5Bindings;
    try {
      m = await loadTcpMd5();
    } catch (e) {
      for (const w of this.md5Wanted.values()) {
        this.logger.error({ peer: w.name, err: e instanceof Error ? e.message : String(e) }, 'cannot load TCP-MD5 support: the peer\'s connections will be refused');
      }
      return;
    }
    // re-read after the await: the server may have closed meanwhile
    const fd = listeningFd(this.server);
    const addr = this.server.address();
    if (fd === undefined || typeof addr !== 'object' || !addr) return;
    const family = addr.family === 'IPv6' ? m.AF_INET6 : m.AF_INET;
    for (const [peer] of this.md5Installed) {
      if (this.md5Wanted.has(peer)) continue;
      try {
        m.deleteTcpMd5Key(fd, family, peer);
        this.md5Installed.delete(peer);
      } catch (e) {
        this.logger.error({ peer, errno: (e as { errno?: string }).errno, err: (e as Error).message }, 'cannot remove TCP-MD5 key from the BGP listener');
      }
    }
    for (const [peer, w] of this.md5Wanted) {
      if (this.md5Installed.get(peer) === w.password) continue;
      try {
        m.setTcpMd5Key(fd, family, peer, w.password);
        this.md5Installed.set(peer, w.password);
      } catch (e) {
        this.logger.error({ peer: w.name, address: peer, errno: (e as { errno?: string }).errno, err: (e as Error).message }, 'cannot install TCP-MD5 key on the BGP listener: the peer\'s connections will be dropped');
      }
    }
  }

  private onConnection(s: net.Socket): void {
    const remote = normalizeAddress(s.remoteAddress);
    const peer = this.peers.get(remote);
    if (!peer) {
      this.refusedUnknown++;
      this.logger.warn({ remote, remotePort: s.remotePort }, 'refusing BGP connection from unknown peer');
      s.destroy();
      return;
    }
    s.setNoDelay(true);
    if (!peer.acceptIncoming(s)) s.destroy();
  }
}
