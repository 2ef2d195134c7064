import {
  RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE, RTMGRP_IPV6_IFADDR, RTMGRP_IPV6_ROUTE, RTMGRP_LINK, RTM_DELADDR,
  RTM_DELLINK, RTM_DELROUTE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE,
} from './netlink/constants';
import { parseMessages } from './netlink/decode';
import { NetlinkSocket } from './netlink/socket';
import { decodeAddress } from './addresses';
import type { Address } from './addresses';
import { decodeLink } from './links';
import type { Link } from './links';
import { decodeRoute } from './routes';
import type { Route } from './routes';

const ENOBUFS = 105;
const EAGAIN = 11;

export type MonitorEvent =
  | { kind: 'route'; action: 'new' | 'del'; route: Route }
  | { kind: 'link'; action: 'new' | 'del'; link: Link }
  | { kind: 'address'; action: 'new' | 'del'; address: Address }
  /** the kernel dropped events (receive buffer full): re-dump to resync */
  | { kind: 'overflow' };

export interface MonitorOptions {
  /** netns name or path; default the caller's */
  netns?: string;
  routes?: boolean;
  links?: boolean;
  addresses?: boolean;
  /** poll period; default 20 ms */
  intervalMs?: number;
  /** keep the process alive while open; default true */
  ref?: boolean;
  /** receive buffer; default 16 MiB so bursts (100k routes) survive between polls */
  rcvbuf?: number;
  /**
   * Most messages one timer tick drains (each is a recv + decode); the rest wait for the next tick.
   * Default 100k. Callers sharing the loop with BGP timers pass a few thousand: a 100k-route burst is
   * otherwise one ~0.3–1 s synchronous drain.
   */
  maxPerPoll?: number;
}

export type MonitorListener = (ev: MonitorEvent) => void;

/**
 * Route/link/address events from a multicast-subscribed netlink socket.
 *
 * Why a poll timer and not koffi's .async() blocking recv on the libuv pool: a blocking recv would pin
 * one of the 4 pool threads (shared with fs and dns) for the monitor's whole life, and close() would
 * race a recv still blocked in another thread on the same fd number. A timer draining with
 * MSG_DONTWAIT costs one non-blocking syscall per tick when idle, never blocks the event loop, and
 * the large receive buffer absorbs bursts between ticks; latency is bounded by intervalMs.
 */
export class Monitor {
  private readonly sock: NetlinkSocket;
  private readonly listeners = new Set<MonitorListener>();
  private timer: NodeJS.Timeout | undefined;
  private readonly maxPerPoll: number;

  constructor(opts: MonitorOptions = {}) {
    let groups = 0;
    if (opts.routes ?? true) groups |= RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
    if (opts.links ?? true) groups |= RTMGRP_LINK;
    if (opts.addresses) groups |= RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    this.sock = new NetlinkSocket({ netns: opts.netns, groups, rcvbuf: opts.rcvbuf ?? 16 * 1024 * 1024, sndbuf: 64 * 1024 });
    this.maxPerPoll = opts.maxPerPoll ?? 100_000;
    this.timer = setInterval(() => this.poll(), opts.intervalMs ?? 20);
    if (opts.ref === false) this.timer.unref();
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: MonitorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event matching pred, rejects after timeoutMs. */
  waitFor(pred: (ev: MonitorEvent) => boolean, timeoutMs = 5000): Promise<MonitorEvent> {
    return new Promise((resolve, reject) => {
      const off = this.on((ev) => {
        if (!pred(ev)) return;
        clearTimeout(t);
        off();
        resolve(ev);
      });
      const t = setTimeout(() => {
        off();
        reject(new Error(`Monitor.waitFor: no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Drains what is queued now and dispatches it (the timer calls this; tests may too). */
  poll(): void {
    if (!this.timer) return;
    for (let i = 0; i < this.maxPerPoll; i++) {
      const n = this.sock.recvInto(true);
      if (n < 0) {
        if (-n === ENOBUFS) {
          this.emit({ kind: 'overflow' });
          continue;
        }
        if (-n !== EAGAIN) this.emit({ kind: 'overflow' });
        return;
      }
      for (const m of parseMessages(this.sock.receiveBuffer, n)) {
        const ev = this.decode(m.type, m);
        if (ev) this.emit(ev);
      }
    }
  }

  private decode(type: number, m: Parameters<typeof decodeRoute>[0]): MonitorEvent | undefined {
    switch (type) {
      case RTM_NEWROUTE:
      case RTM_DELROUTE: {
        const route = decodeRoute(m);
        return route && { kind: 'route', action: type === RTM_NEWROUTE ? 'new' : 'del', route };
      }
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        const link = decodeLink(m);
        return link && { kind: 'link', action: type === RTM_NEWLINK ? 'new' : 'del', link };
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        const address = decodeAddress(m);
        return address && { kind: 'address', action: type === RTM_NEWADDR ? 'new' : 'del', address };
      }
      default:
        return undefined;
    }
  }

  /**
   * A throwing listener must not starve the others or lose the rest of the drained events; its error
   * is rethrown on its own tick, where it surfaces as an uncaught exception as usual.
   */
  private emit(ev: MonitorEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch (e) {
        setImmediate(() => { throw e; });
      }
    }
  }

  close(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    this.sock.close();
  }
}
