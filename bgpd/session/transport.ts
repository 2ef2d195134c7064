// TCP for BGP: outgoing connections from a chosen source address, and one shared listener that hands
// accepted sockets to the session of the matching configured peer. Unknown peers are closed before
// any BGP byte is exchanged.

import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from './peer-config';
import { silentLogger } from './peer-config';

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

/** "::ffff:10.0.0.1" (dual-stack listener) → "10.0.0.1"; IPv6 text is compared as given by Node. */
export function normalizeAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr.toLowerCase();
}

export interface IncomingAcceptor {
  readonly peerAddress: string;
  /** Takes ownership of the socket, or returns false (and the listener closes it). */
  acceptIncoming(socket: BgpSocket): boolean;
}

export interface ListenerOptions {
  /** Listen address; default '::' (all, dual stack). */
  address?: string;
  /** Default 179. Use 0 for an ephemeral port (tests). */
  port?: number;
  logger?: Logger;
}

export class BgpListener {
  private readonly server: net.Server;
  private readonly peers = new Map<string, IncomingAcceptor>();
  private readonly logger: Logger;
  /** Connections refused because no configured peer matched (for stats and tests). */
  refusedUnknown = 0;

  constructor(private readonly opts: ListenerOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.server = net.createServer({ pauseOnConnect: true }, (s) => this.onConnection(s));
  }

  register(peer: IncomingAcceptor): void {
    this.peers.set(normalizeAddress(peer.peerAddress), peer);
  }

  unregister(peer: IncomingAcceptor): void {
    const key = normalizeAddress(peer.peerAddress);
    if (this.peers.get(key) === peer) this.peers.delete(key);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.opts.address ?? '::', port: this.opts.port ?? 179 }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.logger.error({ err: err.message }, 'BGP listener error'));
        resolve();
      });
    });
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
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
