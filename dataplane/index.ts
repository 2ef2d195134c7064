import { Addresses } from './addresses';
import { Links } from './links';
import { Monitor } from './monitor';
import type { MonitorOptions } from './monitor';
import { Fdb, Neighbours } from './neigh';
import { NetlinkSocket } from './netlink/socket';
import { Nexthops } from './nexthops';
import { Routes } from './routes';
import { Sysctl } from './sysctl';

export interface NetlinkOptions {
  /** netns name (under /var/run/netns) or path (e.g. CNI_NETNS); default the caller's netns */
  netns?: string;
  rcvbuf?: number;
  sndbuf?: number;
}

/**
 * Everything the dataplane does to one network namespace, over one rtnetlink socket created inside it.
 * All methods are synchronous (rtnetlink answers inside the send syscall); failures throw NetlinkError.
 */
export class Netlink {
  readonly netns: string | undefined;
  readonly socket: NetlinkSocket;
  readonly links: Links;
  readonly addresses: Addresses;
  readonly routes: Routes;
  readonly neighbours: Neighbours;
  readonly fdb: Fdb;
  readonly nexthops: Nexthops;
  readonly sysctl: Sysctl;

  constructor(opts: NetlinkOptions = {}) {
    this.netns = opts.netns;
    this.socket = new NetlinkSocket({ netns: opts.netns, rcvbuf: opts.rcvbuf, sndbuf: opts.sndbuf });
    this.links = new Links(this.socket);
    this.addresses = new Addresses(this.socket, this.links);
    this.routes = new Routes(this.socket, this.links);
    this.neighbours = new Neighbours(this.socket, this.links);
    this.fdb = new Fdb(this.socket, this.links);
    this.nexthops = new Nexthops(this.socket, this.links);
    this.sysctl = new Sysctl(opts.netns);
  }

  static open(opts: NetlinkOptions = {}): Netlink {
    return new Netlink(opts);
  }

  /** Route/link (and optionally address) events in this netns, on a socket of their own. */
  monitor(opts: Omit<MonitorOptions, 'netns'> = {}): Monitor {
    return new Monitor({ ...opts, netns: this.netns });
  }

  close(): void {
    this.socket.close();
  }
}

export { Links, Addresses, Routes, Neighbours, Fdb, Nexthops, Sysctl, Monitor, NetlinkSocket };
export type { Nexthop, NexthopInfo } from './nexthops';
export type { NetlinkSocketOptions, BatchSource, BatchItem, BodyEncoder } from './netlink/socket';
export { MessageWriter } from './netlink/encode';
export type { NlMessage } from './netlink/decode';
export type { Link, LinkRef, LinkChanges, VethSpec, VxlanSpec, VxlanInfo } from './links';
export type { Address, AddressSpec, AddressFilter } from './addresses';
export type { Route, RouteOp, RouteFilter, RouteType, NextHop } from './routes';
export { RTPROT_TORTIE, RTPROT_BOOT, describeRoute } from './routes';
export type { Neighbour, NeighbourSpec, NeighState, FdbEntry, FdbSpec } from './neigh';
export type { MonitorEvent, MonitorOptions, MonitorListener } from './monitor';
export type { Scope } from './scope';
export type { Family } from './ipaddr';
export { parseIp, formatIp, parsePrefix, formatPrefix, normalizePrefix, parseMac, formatMac, ipFamily } from './ipaddr';
export { NetlinkError, isNetlinkError, errnoName } from './netlink/errors';
export { withNetns, netnsPath, netnsId, warmThreadpool } from './netns';
export { netnsIdOf } from './netns-id';
export { writeSysctl, readSysctl, interfaceSysctlKey } from './sysctl';
export type { SysctlFamily } from './sysctl';
