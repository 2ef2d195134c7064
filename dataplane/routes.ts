import {
  AF_INET, AF_INET6, AF_UNSPEC, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, ROUTE_TYPES,
  RTA_DST, RTA_GATEWAY, RTA_MULTIPATH, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RTMSG_LEN, RTM_DELROUTE,
  RTM_GETROUTE, RTM_NEWROUTE, RTNEXTHOP_LEN, RTNH_F_LINKDOWN, RTNH_F_ONLINK, RT_TABLE_MAIN, RTA_NH_ID,
} from './netlink/constants';
import { attrU32, parseAttrs } from './netlink/decode';
import type { NlMessage } from './netlink/decode';
import type { MessageWriter } from './netlink/encode';
import { NetlinkError } from './netlink/errors';
import type { NetlinkSocket } from './netlink/socket';
import { formatPrefix, ipText, parseIp, parsePrefix } from './ipaddr';
import type { Family } from './ipaddr';
import type { LinkRef, Links } from './links';
import { scopeName, scopeNumber } from './scope';
import type { Scope } from './scope';

export type RouteType = Exclude<(typeof ROUTE_TYPES)[number], 'unspec' | 'xresolve'>;

/** Our routes' protocol number (rtm_protocol) unless a caller picks another: lets dumps and cleanups find them. */
export const RTPROT_TORTIE = 201;
/** iproute2's default for `ip route add` */
export const RTPROT_BOOT = 3;

export interface NextHop {
  gateway?: string;
  /** device name; or give oif */
  dev?: string;
  oif?: number;
  /** 1..256; default 1 */
  weight?: number;
  onlink?: boolean;
  /** read back only */
  linkdown?: boolean;
}

export interface Route {
  /** "a.b.c.d/len", "v6/len", bare address (= host route) or "default" (then set family) */
  dst: string;
  family?: Family;
  /** default 254 (main) */
  table?: number;
  /** rtm_protocol number; default 3 (boot) on add, any on delete */
  protocol?: number;
  /** default: link for a unicast route without gateway, host for local, universe otherwise */
  scope?: Scope;
  /** default 'unicast' */
  type?: RouteType;
  gateway?: string;
  dev?: string;
  oif?: number;
  onlink?: boolean;
  /** ECMP: several next hops (then leave gateway/dev unset) */
  nexthops?: NextHop[];
  /** use kernel nexthop object <id> (see Nexthops) instead of gateway/dev/nexthops: cheaper per route */
  nhid?: number;
  /** metric */
  priority?: number;
  prefsrc?: string;
  /** read back only: the (single) next hop's link is down */
  linkdown?: boolean;
}

export type RouteOp = { op: 'add' | 'replace' | 'append' | 'del'; route: Route };

export interface RouteFilter {
  family?: Family;
  /** kernel-side filters (NETLINK_GET_STRICT_CHK) */
  table?: number;
  protocol?: number;
  type?: RouteType;
  dev?: LinkRef;
  /** map oif → dev names in the result (one extra link dump); default true */
  names?: boolean;
}

/** A Route with text parsed into bytes and names into ifindexes, ready to encode. */
interface WireRoute {
  family: number;
  dst: Buffer;
  dstLen: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
  gateway?: Buffer;
  oif: number;
  priority?: number;
  prefsrc?: Buffer;
  nhid?: number;
  nexthops?: { gateway?: Buffer; oif: number; weight: number; flags: number }[];
}

const OP_FLAGS: Record<RouteOp['op'], number> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  append: NLM_F_CREATE | NLM_F_APPEND,
  del: 0,
};

function typeNumber(t: RouteType | undefined): number {
  return ROUTE_TYPES.indexOf(t ?? 'unicast');
}

export function describeRoute(op: string, r: Route): string {
  const parts = [`${op} ${r.type && r.type !== 'unicast' ? `${r.type} ` : ''}${r.dst}`];
  if (r.nhid !== undefined) parts.push(`nhid ${r.nhid}`);
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev ?? r.oif) parts.push(`dev ${r.dev ?? `#${r.oif}`}`);
  for (const nh of r.nexthops ?? []) parts.push(`nexthop via ${nh.gateway ?? '-'} dev ${nh.dev ?? `#${nh.oif}`} weight ${nh.weight ?? 1}`);
  if (r.onlink) parts.push('onlink');
  parts.push(`table ${r.table ?? RT_TABLE_MAIN}`);
  if (r.protocol !== undefined) parts.push(`proto ${r.protocol}`);
  if (r.scope) parts.push(`scope ${r.scope}`);
  if (r.priority !== undefined) parts.push(`metric ${r.priority}`);
  return parts.join(' ');
}

function ipOfFamily(text: string, family: Family, what: string): Buffer {
  const ip = parseIp(text);
  if (ip.family !== family) throw new Error(`${what} ${text} is not IPv${family}`);
  return ip.bytes;
}

/** Turns a Route into wire form; resolve maps device names to ifindexes (and throws ENODEV). */
export function toWire(r: Route, isDelete: boolean, resolve: (dev: string) => number): WireRoute {
  const p = parsePrefix(r.dst, r.family);
  const type = typeNumber(r.type);
  if (type < 0) throw new Error(`unknown route type ${String(r.type)}`);
  const hasGw = r.gateway !== undefined || r.nhid !== undefined || (r.nexthops?.some((n) => n.gateway !== undefined) ?? false);
  let scope: number;
  if (r.scope) scope = scopeNumber(r.scope);
  else if (isDelete) scope = scopeNumber('nowhere');
  else if (r.type === 'local') scope = scopeNumber('host');
  else if ((r.type ?? 'unicast') === 'unicast' && !hasGw) scope = scopeNumber('link');
  else scope = scopeNumber('universe');
  const w: WireRoute = {
    family: p.family === 4 ? AF_INET : AF_INET6,
    dst: p.bytes,
    dstLen: p.len,
    table: r.table ?? RT_TABLE_MAIN,
    protocol: r.protocol ?? (isDelete ? 0 : RTPROT_BOOT),
    scope,
    type: isDelete && r.type === undefined ? 0 : type,
    flags: r.onlink ? RTNH_F_ONLINK : 0,
    oif: r.oif ?? (r.dev !== undefined ? resolve(r.dev) : 0),
  };
  if (r.gateway) w.gateway = ipOfFamily(r.gateway, p.family, 'gateway');
  if (r.priority !== undefined) w.priority = r.priority;
  if (r.nhid !== undefined) w.nhid = r.nhid;
  if (r.prefsrc) w.prefsrc = ipOfFamily(r.prefsrc, p.family, 'prefsrc');
  if (r.nexthops && r.nexthops.length > 0) {
    w.nexthops = r.nexthops.map((nh) => {
      const weight = nh.weight ?? 1;
      if (weight < 1 || weight > 256) throw new Error(`nexthop weight ${weight} out of 1..256`);
      return {
        gateway: nh.gateway ? ipOfFamily(nh.gateway, p.family, 'nexthop gateway') : undefined,
        oif: nh.oif ?? (nh.dev !== undefined ? resolve(nh.dev) : 0),
        weight,
        flags: nh.onlink ? RTNH_F_ONLINK : 0,
      };
    });
  }
  return w;
}

export function encodeRoute(w: MessageWriter, r: WireRoute): void {
  w.u8(r.family).u8(r.dstLen).u8(0).u8(0).u8(r.table < 256 ? r.table : 0).u8(r.protocol).u8(r.scope).u8(r.type).u32(r.flags);
  if (r.table >= 256) w.attrU32(RTA_TABLE, r.table);
  if (r.dstLen > 0) w.attr(RTA_DST, r.dst);
  if (r.priority !== undefined) w.attrU32(RTA_PRIORITY, r.priority);
  if (r.prefsrc) w.attr(RTA_PREFSRC, r.prefsrc);
  if (r.gateway) w.attr(RTA_GATEWAY, r.gateway);
  if (r.oif) w.attrU32(RTA_OIF, r.oif);
  if (r.nhid !== undefined) w.attrU32(RTA_NH_ID, r.nhid);
  if (r.nexthops) {
    const mp = w.nestStart(RTA_MULTIPATH);
    for (const nh of r.nexthops) {
      const t = w.markLen16();
      w.u8(nh.flags).u8(nh.weight - 1).i32(nh.oif);
      if (nh.gateway) w.attr(RTA_GATEWAY, nh.gateway);
      w.closeLen16(t);
    }
    w.nestEnd(mp);
  }
}

export function decodeRoute(m: NlMessage): Route | undefined {
  const p = m.payload;
  if (p.length < RTMSG_LEN) return undefined;
  const fam = p[0] === AF_INET ? 4 : p[0] === AF_INET6 ? 6 : undefined;
  if (!fam) return undefined;
  const a = parseAttrs(p, RTMSG_LEN);
  const dstLen = p[1];
  const dst = a.get(RTA_DST) ?? Buffer.alloc(fam === 4 ? 4 : 16);
  if (dst.length !== (fam === 4 ? 4 : 16)) return undefined;
  const flags = p.readUInt32LE(8);
  const r: Route = {
    dst: formatPrefix(dst, dstLen),
    family: fam,
    table: attrU32(a, RTA_TABLE) ?? p[4],
    protocol: p[5],
    scope: scopeName(p[6]) as Scope,
    type: (ROUTE_TYPES[p[7]] ?? 'unicast') as RouteType,
  };
  const gw = ipText(a.get(RTA_GATEWAY));
  if (gw) r.gateway = gw;
  const oif = attrU32(a, RTA_OIF);
  if (oif) r.oif = oif;
  if (flags & RTNH_F_ONLINK) r.onlink = true;
  if (flags & RTNH_F_LINKDOWN) r.linkdown = true;
  const prio = attrU32(a, RTA_PRIORITY);
  if (prio !== undefined) r.priority = prio;
  const src = ipText(a.get(RTA_PREFSRC));
  if (src) r.prefsrc = src;
  const nhid = attrU32(a, RTA_NH_ID);
  if (nhid !== undefined) r.nhid = nhid;
  const mp = a.get(RTA_MULTIPATH);
  if (mp) {
    const hops: NextHop[] = [];
    let off = 0;
    while (off + RTNEXTHOP_LEN <= mp.length) {
      const len = mp.readUInt16LE(off);
      if (len < RTNEXTHOP_LEN || off + len > mp.length) break;
      const nflags = mp[off + 2];
      const nh: NextHop = { weight: mp[off + 3] + 1, oif: mp.readInt32LE(off + 4) };
      const na = parseAttrs(mp, off + RTNEXTHOP_LEN, off + len);
      const ngw = ipText(na.get(RTA_GATEWAY));
      if (ngw) nh.gateway = ngw;
      if (nflags & RTNH_F_ONLINK) nh.onlink = true;
      if (nflags & RTNH_F_LINKDOWN) nh.linkdown = true;
      hops.push(nh);
      off += (len + 3) & ~3;
    }
    r.nexthops = hops;
  }
  return r;
}

export class Routes {
  constructor(private readonly sock: NetlinkSocket, private readonly links: Links) {}

  private one(op: RouteOp['op'], route: Route): void {
    const wire = toWire(route, op === 'del', (dev) => this.links.index(dev));
    this.sock.request(op === 'del' ? RTM_DELROUTE : RTM_NEWROUTE, OP_FLAGS[op], (w) => encodeRoute(w, wire),
      () => `${op === 'del' ? 'RTM_DELROUTE' : 'RTM_NEWROUTE'} ${describeRoute(op, route)}`);
  }

  /** Adds; NetlinkError EEXIST if a route with the same key exists. */
  add(route: Route): void { this.one('add', route); }
  /** Adds or replaces (idempotent). */
  replace(route: Route): void { this.one('replace', route); }
  /** Adds another route with the same key (IPv6: adds a next hop). */
  append(route: Route): void { this.one('append', route); }
  /** Deletes; NetlinkError ESRCH if absent. Unset fields (protocol, scope, type) match anything. */
  del(route: Route): void { this.one('del', route); }

  /**
   * Many operations, many messages per send; acks are matched per sequence number. Returns one entry
   * per op: null = done, NetlinkError (with .index and .request) = that op failed. Input errors (bad
   * text, unknown device) are reported the same way, without sending that op.
   */
  batch(ops: readonly RouteOp[], chunkSize?: number): (NetlinkError | null)[] {
    const devCache = new Map<string, number>();
    const resolve = (dev: string): number => {
      let idx = devCache.get(dev);
      if (idx === undefined) {
        idx = this.links.index(dev);
        devCache.set(dev, idx);
      }
      return idx;
    };
    const msgName = (op: RouteOp['op']): string => (op === 'del' ? 'RTM_DELROUTE' : 'RTM_NEWROUTE');
    return this.sock.batch({
      count: ops.length,
      encode: (w, i, seq) => {
        const { op, route } = ops[i];
        let wire: WireRoute;
        try {
          wire = toWire(route, op === 'del', resolve);
        } catch (e) {
          const request = `${msgName(op)} ${describeRoute(op, route)}`;
          return e instanceof NetlinkError
            ? new NetlinkError({ code: e.code, request: `${request} (${e.request})`, index: i })
            : new NetlinkError({ code: 22, request, extack: (e as Error).message, index: i });
        }
        w.begin(op === 'del' ? RTM_DELROUTE : RTM_NEWROUTE, OP_FLAGS[op], seq);
        encodeRoute(w, wire);
        w.end();
        return null;
      },
      describe: (i) => `${msgName(ops[i].op)} ${describeRoute(ops[i].op, ops[i].route)}`,
    }, chunkSize);
  }

  /**
   * batch() in slices with an event-loop turn between them, for callers that share the loop with
   * timers that must not stall (BGP keepalives): 100k routes is ~0.5 s of kernel time otherwise.
   */
  async batchAsync(ops: readonly RouteOp[], opts: { sliceSize?: number; chunkSize?: number } = {}): Promise<(NetlinkError | null)[]> {
    const slice = opts.sliceSize ?? 8192;
    const out: (NetlinkError | null)[] = [];
    for (let start = 0; start < ops.length; start += slice) {
      if (start > 0) await new Promise<void>((r) => setImmediate(r));
      const part = this.batch(ops.slice(start, start + slice), opts.chunkSize);
      for (const e of part) {
        out.push(e && new NetlinkError({ code: e.code, request: e.request, extack: e.extack, index: (e.index ?? 0) + start, syscall: e.syscall }));
      }
    }
    return out;
  }

  /** Routes, filtered in the kernel by table/protocol/type/dev (NETLINK_GET_STRICT_CHK). */
  dump(filter: RouteFilter = {}): Route[] {
    const oif = filter.dev !== undefined ? this.links.index(filter.dev) : 0;
    const fam = filter.family === 4 ? AF_INET : filter.family === 6 ? AF_INET6 : AF_UNSPEC;
    const type = filter.type ? typeNumber(filter.type) : 0;
    const table = filter.table ?? 0;
    let routes: Route[];
    try {
      routes = this.sock.dump(RTM_GETROUTE, (w) => {
        w.u8(fam).u8(0).u8(0).u8(0).u8(table > 0 && table < 256 ? table : 0).u8(filter.protocol ?? 0).u8(0).u8(type).u32(0);
        if (table >= 256) w.attrU32(RTA_TABLE, table);
        if (oif) w.attrU32(RTA_OIF, oif);
      }, () => `RTM_GETROUTE dump ${JSON.stringify({ ...filter, names: undefined })}`, decodeRoute);
    } catch (e) {
      // IPv4 answers ENOENT for a table that does not exist yet: that is an empty table to us.
      if (e instanceof NetlinkError && e.errno === 'ENOENT' && table) return [];
      throw e;
    }
    // The family filter is applied here too: an AF_UNSPEC dump also returns multicast (ipmr) families.
    routes = routes.filter((r) => filter.family === undefined || r.family === filter.family);
    if (filter.names !== false) {
      const names = new Map(this.links.list().map((l) => [l.index, l.name]));
      for (const r of routes) {
        const dev = r.oif ? names.get(r.oif) : undefined;
        if (dev) r.dev = dev;
        for (const nh of r.nexthops ?? []) {
          const nhDev = nh.oif ? names.get(nh.oif) : undefined;
          if (nhDev) nh.dev = nhDev;
        }
      }
    }
    return routes;
  }
}
