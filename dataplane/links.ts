import * as fs from 'node:fs';
import {
  AF_UNSPEC, IFF_LOWER_UP, IFF_UP, IFINFOMSG_LEN, IFLA_ADDRESS, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND,
  IFLA_LINK, IFLA_LINKINFO, IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MTU, IFLA_NET_NS_FD, IFLA_OPERSTATE,
  IFLA_VXLAN_ID, IFLA_VXLAN_LEARNING, IFLA_VXLAN_LINK, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, IFLA_VXLAN_PORT,
  NLM_F_CREATE, NLM_F_EXCL, OPERSTATES, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK, VETH_INFO_PEER,
} from './netlink/constants';
import { attrString, attrU16be, attrU32, attrU8, parseAttrs } from './netlink/decode';
import type { NlMessage } from './netlink/decode';
import type { MessageWriter } from './netlink/encode';
import { NetlinkError } from './netlink/errors';
import type { NetlinkSocket } from './netlink/socket';
import { formatMac, ipText, parseIp, parseMac } from './ipaddr';
import { openNetnsFd } from './netns';

/** A link by name or ifindex. */
export type LinkRef = string | number;

export interface VxlanInfo {
  vni: number;
  port: number;
  local?: string;
  /** ifindex of the underlay device */
  linkIndex?: number;
  learning: boolean;
}

export interface Link {
  index: number;
  name: string;
  mtu: number;
  mac?: string;
  /** administratively up (IFF_UP) */
  up: boolean;
  /** carrier (IFF_LOWER_UP) */
  lowerUp: boolean;
  operState: string;
  /** IFLA_INFO_KIND: 'veth', 'vxlan', 'bridge'…; undefined for plain devices such as lo */
  kind?: string;
  flags: number;
  master?: number;
  /** IFLA_LINK: for a veth, the peer's ifindex (in the peer's netns) */
  parentIndex?: number;
  /** set when the parent/peer lives in another netns */
  linkNetnsId?: number;
  vxlan?: VxlanInfo;
}

export interface VethSpec {
  name: string;
  peerName: string;
  /** netns name or path to create the peer in (else same netns) */
  peerNetns?: string;
  mtu?: number;
  mac?: string;
  peerMac?: string;
}

export interface VxlanSpec {
  name: string;
  vni: number;
  /** UDP destination port; default 4789 */
  port?: number;
  /** local (source) underlay IP */
  local?: string;
  /** underlay device */
  dev?: LinkRef;
  /** default false (Calico programs FDB entries itself) */
  learning?: boolean;
  mtu?: number;
  mac?: string;
}

export interface LinkChanges {
  up?: boolean;
  mtu?: number;
  mac?: string;
  name?: string;
  /** move the link into this netns (name or path) */
  netns?: string;
}

export function decodeLink(m: NlMessage): Link | undefined {
  const p = m.payload;
  if (p.length < IFINFOMSG_LEN) return undefined;
  const flags = p.readUInt32LE(8);
  const a = parseAttrs(p, IFINFOMSG_LEN);
  const mac = a.get(IFLA_ADDRESS);
  const link: Link = {
    index: p.readInt32LE(4),
    name: attrString(a, IFLA_IFNAME) ?? '',
    mtu: attrU32(a, IFLA_MTU) ?? 0,
    up: (flags & IFF_UP) !== 0,
    lowerUp: (flags & IFF_LOWER_UP) !== 0,
    operState: OPERSTATES[attrU8(a, IFLA_OPERSTATE) ?? 0] ?? 'unknown',
    flags,
  };
  if (mac && mac.length === 6) link.mac = formatMac(mac);
  const master = attrU32(a, IFLA_MASTER);
  if (master) link.master = master;
  const parent = attrU32(a, IFLA_LINK);
  const nsid = a.get(IFLA_LINK_NETNSID);
  if (nsid && nsid.length >= 4) link.linkNetnsId = nsid.readInt32LE(0);
  // A peer in another netns may have the same ifindex as this link (indexes are per netns).
  if (parent !== undefined && (parent !== link.index || link.linkNetnsId !== undefined)) link.parentIndex = parent;
  const info = a.get(IFLA_LINKINFO);
  if (info) {
    const ia = parseAttrs(info);
    const kind = attrString(ia, IFLA_INFO_KIND);
    if (kind) link.kind = kind;
    const data = ia.get(IFLA_INFO_DATA);
    if (kind === 'vxlan' && data) {
      const va = parseAttrs(data);
      const vx: VxlanInfo = {
        vni: attrU32(va, IFLA_VXLAN_ID) ?? 0,
        port: attrU16be(va, IFLA_VXLAN_PORT) ?? 0,
        learning: (attrU8(va, IFLA_VXLAN_LEARNING) ?? 1) !== 0,
      };
      const local = ipText(va.get(IFLA_VXLAN_LOCAL) ?? va.get(IFLA_VXLAN_LOCAL6));
      if (local) vx.local = local;
      const under = attrU32(va, IFLA_VXLAN_LINK);
      if (under) vx.linkIndex = under;
      link.vxlan = vx;
    }
  }
  return link;
}

function writeIfinfo(w: MessageWriter, index: number, flags = 0, change = 0): void {
  w.u8(AF_UNSPEC).u8(0).u16(0).i32(index).u32(flags).u32(change);
}

const ENODEV = 19;

const describeRef = (ref: LinkRef): string => (typeof ref === 'number' ? `ifindex ${ref}` : `dev ${ref}`);

/** Link operations on one netns (the socket's). */
export class Links {
  constructor(private readonly sock: NetlinkSocket) {}

  list(): Link[] {
    return this.sock.dump(RTM_GETLINK, (w) => writeIfinfo(w, 0), () => 'RTM_GETLINK dump', decodeLink);
  }

  /** The link, or undefined when it does not exist. */
  get(ref: LinkRef): Link | undefined {
    try {
      return this.getOrThrow(ref);
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === 'ENODEV') return undefined;
      throw e;
    }
  }

  /** The link; NetlinkError ENODEV when it does not exist. */
  getOrThrow(ref: LinkRef): Link {
    let found: Link | undefined;
    this.sock.request(RTM_GETLINK, 0, (w) => {
      writeIfinfo(w, typeof ref === 'number' ? ref : 0);
      if (typeof ref === 'string') w.attrString(IFLA_IFNAME, ref);
    }, () => `RTM_GETLINK ${describeRef(ref)}`, (m) => { found = decodeLink(m); });
    // The kernel answers ENODEV itself; this only guards against an ack without a reply.
    if (!found) throw new NetlinkError({ code: ENODEV, request: `RTM_GETLINK ${describeRef(ref)}` });
    return found;
  }

  /** ifindex for a name (numbers pass through). Throws NetlinkError ENODEV. */
  index(ref: LinkRef): number {
    return typeof ref === 'number' ? ref : this.getOrThrow(ref).index;
  }

  createVeth(spec: VethSpec): void {
    const nsFd = spec.peerNetns ? openNetnsFd(spec.peerNetns) : -1;
    try {
      this.sock.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
        writeNewLink(w, spec.name, spec.mtu, spec.mac);
        const li = w.nestStart(IFLA_LINKINFO);
        w.attrString(IFLA_INFO_KIND, 'veth');
        const data = w.nestStart(IFLA_INFO_DATA);
        const peer = w.nestStart(VETH_INFO_PEER);
        writeNewLink(w, spec.peerName, spec.mtu, spec.peerMac);
        if (nsFd >= 0) w.attrU32(IFLA_NET_NS_FD, nsFd);
        w.nestEnd(peer);
        w.nestEnd(data);
        w.nestEnd(li);
      }, () => `RTM_NEWLINK veth ${spec.name} peer ${spec.peerName}${spec.peerNetns ? ` netns ${spec.peerNetns}` : ''}`);
    } finally {
      if (nsFd >= 0) fs.closeSync(nsFd);
    }
  }

  createVxlan(spec: VxlanSpec): void {
    const underlay = spec.dev !== undefined ? this.index(spec.dev) : 0;
    const port = spec.port ?? 4789;
    this.sock.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
      writeNewLink(w, spec.name, spec.mtu, spec.mac);
      const li = w.nestStart(IFLA_LINKINFO);
      w.attrString(IFLA_INFO_KIND, 'vxlan');
      const data = w.nestStart(IFLA_INFO_DATA);
      w.attrU32(IFLA_VXLAN_ID, spec.vni);
      if (underlay) w.attrU32(IFLA_VXLAN_LINK, underlay);
      if (spec.local) {
        const ip = parseIp(spec.local);
        w.attr(ip.family === 4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, ip.bytes);
      }
      w.attrU16be(IFLA_VXLAN_PORT, port);
      w.attrU8(IFLA_VXLAN_LEARNING, spec.learning ? 1 : 0);
      w.nestEnd(data);
      w.nestEnd(li);
    }, () => `RTM_NEWLINK vxlan ${spec.name} vni ${spec.vni} port ${port}`);
  }

  /** Creates a link of a kind that needs no type-specific data (e.g. 'bridge'). */
  createSimple(name: string, kind: string): void {
    this.sock.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
      writeIfinfo(w, 0);
      w.attrString(IFLA_IFNAME, name);
      const li = w.nestStart(IFLA_LINKINFO);
      w.attrString(IFLA_INFO_KIND, kind);
      w.nestEnd(li);
    }, () => `RTM_NEWLINK ${kind} ${name}`);
  }

  /** Applies several changes in one request (the kernel applies them in a fixed order, name last). */
  set(ref: LinkRef, changes: LinkChanges): void {
    const index = this.index(ref);
    const nsFd = changes.netns ? openNetnsFd(changes.netns) : -1;
    const what = Object.entries(changes).map(([k, v]) => `${k} ${String(v)}`).join(' ');
    try {
      this.sock.request(RTM_NEWLINK, 0, (w) => {
        const upFlags = changes.up === undefined ? 0 : changes.up ? IFF_UP : 0;
        writeIfinfo(w, index, upFlags, changes.up === undefined ? 0 : IFF_UP);
        if (changes.name !== undefined) w.attrString(IFLA_IFNAME, changes.name);
        if (changes.mtu !== undefined) w.attrU32(IFLA_MTU, changes.mtu);
        if (changes.mac !== undefined) w.attr(IFLA_ADDRESS, parseMac(changes.mac));
        if (nsFd >= 0) w.attrU32(IFLA_NET_NS_FD, nsFd);
      }, () => `RTM_NEWLINK ${describeRef(ref)} set ${what}`);
    } finally {
      if (nsFd >= 0) fs.closeSync(nsFd);
    }
  }

  setUp(ref: LinkRef): void { this.set(ref, { up: true }); }
  setDown(ref: LinkRef): void { this.set(ref, { up: false }); }
  setMtu(ref: LinkRef, mtu: number): void { this.set(ref, { mtu }); }
  setMac(ref: LinkRef, mac: string): void { this.set(ref, { mac }); }
  rename(ref: LinkRef, name: string): void { this.set(ref, { name }); }
  moveToNetns(ref: LinkRef, netns: string): void { this.set(ref, { netns }); }

  del(ref: LinkRef): void {
    this.sock.request(RTM_DELLINK, 0, (w) => {
      writeIfinfo(w, typeof ref === 'number' ? ref : 0);
      if (typeof ref === 'string') w.attrString(IFLA_IFNAME, ref);
    }, () => `RTM_DELLINK ${describeRef(ref)}`);
  }
}

/** The common head of an RTM_NEWLINK (and of a veth's peer): ifinfomsg, name, optional MTU and MAC. */
function writeNewLink(w: MessageWriter, name: string, mtu?: number, mac?: string): void {
  writeIfinfo(w, 0);
  w.attrString(IFLA_IFNAME, name);
  if (mtu) w.attrU32(IFLA_MTU, mtu);
  if (mac) w.attr(IFLA_ADDRESS, parseMac(mac));
}
