import {
  AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, NDA_DST, NDA_IFINDEX, NDA_LLADDR, NDA_MASTER, NDA_PORT, NDA_VLAN,
  NDA_VNI, NDMSG_LEN, NEIGH_STATES, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NTF_SELF,
  RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH,
} from './netlink/constants';
import { attrU16be, attrU32, parseAttrs } from './netlink/decode';
import type { NlMessage } from './netlink/decode';
import type { MessageWriter } from './netlink/encode';
import type { NetlinkSocket } from './netlink/socket';
import { formatMac, ipText, parseIp, parseMac } from './ipaddr';
import type { Family } from './ipaddr';
import type { LinkRef, Links } from './links';

export type NeighState = keyof typeof NEIGH_STATES;

export interface Neighbour {
  dst: string;
  family: Family;
  index: number;
  dev?: string;
  lladdr?: string;
  /** NUD_* states that are set, e.g. ['permanent'] */
  state: NeighState[];
  flags: number;
}

export interface NeighbourSpec {
  dev: LinkRef;
  dst: string;
  /** required for add/replace */
  lladdr?: string;
  /** default 'permanent' */
  state?: NeighState;
}

export interface FdbEntry {
  mac: string;
  index: number;
  dev?: string;
  /** remote VTEP IP (vxlan) */
  dst?: string;
  vni?: number;
  port?: number;
  vlan?: number;
  master?: number;
  state: NeighState[];
  /** NTF_SELF: the entry lives in the device's own table (vxlan), not a bridge's */
  self: boolean;
}

export interface FdbSpec {
  dev: LinkRef;
  mac: string;
  /** remote VTEP IP */
  dst?: string;
  vni?: number;
  port?: number;
  /** default 'permanent' */
  state?: NeighState;
}

function states(bits: number): NeighState[] {
  return (Object.keys(NEIGH_STATES) as NeighState[]).filter((k) => (bits & NEIGH_STATES[k]) !== 0);
}

function writeNdmsg(w: MessageWriter, family: number, index: number, state: number, flags: number): void {
  w.u8(family).u8(0).u16(0).i32(index).u16(state).u8(flags).u8(0);
}

export function decodeNeighbour(m: NlMessage): Neighbour | undefined {
  const p = m.payload;
  if (p.length < NDMSG_LEN) return undefined;
  const fam = p[0] === AF_INET ? 4 : p[0] === AF_INET6 ? 6 : undefined;
  if (!fam) return undefined;
  const a = parseAttrs(p, NDMSG_LEN);
  const dst = ipText(a.get(NDA_DST));
  if (!dst) return undefined;
  const n: Neighbour = {
    dst, family: fam, index: p.readInt32LE(4), state: states(p.readUInt16LE(8)), flags: p[10],
  };
  const ll = a.get(NDA_LLADDR);
  if (ll && ll.length === 6) n.lladdr = formatMac(ll);
  return n;
}

export function decodeFdb(m: NlMessage): FdbEntry | undefined {
  const p = m.payload;
  if (p.length < NDMSG_LEN || p[0] !== AF_BRIDGE) return undefined;
  const a = parseAttrs(p, NDMSG_LEN);
  const ll = a.get(NDA_LLADDR);
  if (!ll || ll.length !== 6) return undefined;
  const flags = p[10];
  const e: FdbEntry = { mac: formatMac(ll), index: p.readInt32LE(4), state: states(p.readUInt16LE(8)), self: (flags & NTF_SELF) !== 0 };
  const dst = ipText(a.get(NDA_DST));
  if (dst) e.dst = dst;
  const vni = attrU32(a, NDA_VNI);
  if (vni !== undefined) e.vni = vni;
  const port = attrU16be(a, NDA_PORT);
  if (port !== undefined) e.port = port;
  const vlan = a.get(NDA_VLAN);
  if (vlan && vlan.length >= 2) e.vlan = vlan.readUInt16LE(0);
  const master = attrU32(a, NDA_MASTER);
  if (master) e.master = master;
  return e;
}

/** ARP / NDP entries. */
export class Neighbours {
  constructor(private readonly sock: NetlinkSocket, private readonly links: Links) {}

  private write(type: number, flags: number, spec: NeighbourSpec, verb: string): void {
    const index = this.links.index(spec.dev);
    const ip = parseIp(spec.dst);
    const state = type === RTM_DELNEIGH ? 0 : NEIGH_STATES[spec.state ?? 'permanent'];
    if (type === RTM_NEWNEIGH && !spec.lladdr) throw new Error(`neighbour ${spec.dst}: lladdr is required`);
    this.sock.request(type, flags, (w) => {
      writeNdmsg(w, ip.family === 4 ? AF_INET : AF_INET6, index, state, 0);
      w.attr(NDA_DST, ip.bytes);
      if (spec.lladdr) w.attr(NDA_LLADDR, parseMac(spec.lladdr));
    }, () => `RTM_${verb}NEIGH ${spec.dst}${spec.lladdr ? ` lladdr ${spec.lladdr}` : ''} dev ${String(spec.dev)}`);
  }

  add(spec: NeighbourSpec): void { this.write(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec, 'NEW'); }
  replace(spec: NeighbourSpec): void { this.write(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec, 'NEW'); }
  del(spec: NeighbourSpec): void { this.write(RTM_DELNEIGH, 0, spec, 'DEL'); }

  list(filter: { dev?: LinkRef; family?: Family } = {}): Neighbour[] {
    const index = filter.dev !== undefined ? this.links.index(filter.dev) : 0;
    const fam = filter.family === 4 ? AF_INET : filter.family === 6 ? AF_INET6 : AF_UNSPEC;
    const names = new Map(this.links.list().map((l) => [l.index, l.name]));
    // Strict dump rules: the ifindex filter goes in NDA_IFINDEX, the header fields must be zero.
    const out = this.sock.dump(RTM_GETNEIGH, (w) => {
      writeNdmsg(w, fam, 0, 0, 0);
      if (index) w.attrU32(NDA_IFINDEX, index);
    }, () => 'RTM_GETNEIGH dump', decodeNeighbour);
    for (const n of out) {
      const dev = names.get(n.index);
      if (dev) n.dev = dev;
    }
    return out.filter((n) => (!index || n.index === index) && (filter.family === undefined || n.family === filter.family));
  }
}

/** Bridge forwarding database entries; for VXLAN devices these map inner MACs to remote VTEPs. */
export class Fdb {
  constructor(private readonly sock: NetlinkSocket, private readonly links: Links) {}

  private write(type: number, flags: number, spec: FdbSpec, verb: string): void {
    const index = this.links.index(spec.dev);
    const state = type === RTM_DELNEIGH ? 0 : NEIGH_STATES[spec.state ?? 'permanent'];
    this.sock.request(type, flags, (w) => {
      writeNdmsg(w, AF_BRIDGE, index, state, NTF_SELF);
      w.attr(NDA_LLADDR, parseMac(spec.mac));
      if (spec.dst) w.attr(NDA_DST, parseIp(spec.dst).bytes);
      if (spec.vni !== undefined) w.attrU32(NDA_VNI, spec.vni);
      if (spec.port !== undefined) w.attrU16be(NDA_PORT, spec.port);
    }, () => `RTM_${verb}NEIGH fdb ${spec.mac}${spec.dst ? ` dst ${spec.dst}` : ''} dev ${String(spec.dev)}`);
  }

  /** Adds; EEXIST if the MAC already has an entry. */
  add(spec: FdbSpec): void { this.write(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec, 'NEW'); }
  /** Adds or updates the entry for this MAC. */
  replace(spec: FdbSpec): void { this.write(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec, 'NEW'); }
  /** Adds one more destination for the MAC (vxlan flood list with 00:00:00:00:00:00). */
  append(spec: FdbSpec): void { this.write(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, spec, 'NEW'); }
  /** Deletes (with dst: only that destination). */
  del(spec: FdbSpec): void { this.write(RTM_DELNEIGH, 0, spec, 'DEL'); }

  list(filter: { dev?: LinkRef } = {}): FdbEntry[] {
    const index = filter.dev !== undefined ? this.links.index(filter.dev) : 0;
    const names = new Map(this.links.list().map((l) => [l.index, l.name]));
    // For AF_BRIDGE dumps the strict parser takes the port ifindex from the header.
    const out = this.sock.dump(RTM_GETNEIGH, (w) => writeNdmsg(w, AF_BRIDGE, index, 0, 0),
      () => `RTM_GETNEIGH fdb dump${index ? ` ifindex ${index}` : ''}`, decodeFdb);
    for (const e of out) {
      const dev = names.get(e.index);
      if (dev) e.dev = dev;
    }
    return out.filter((e) => !index || e.index === index);
  }
}
