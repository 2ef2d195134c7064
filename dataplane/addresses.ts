import {
  AF_INET, AF_INET6, AF_UNSPEC, IFADDRMSG_LEN, IFA_ADDRESS, IFA_FLAGS, IFA_F_NODAD, IFA_LABEL, IFA_LOCAL,
  NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR,
} from './netlink/constants';
import { attrString, attrU32, parseAttrs } from './netlink/decode';
import type { NlMessage } from './netlink/decode';
import type { MessageWriter } from './netlink/encode';
import type { NetlinkSocket } from './netlink/socket';
import { formatPrefix, ipText, parsePrefix } from './ipaddr';
import type { Family } from './ipaddr';
import type { Links, LinkRef } from './links';
import { scopeName, scopeNumber } from './scope';
import type { Scope } from './scope';

export interface Address {
  /** "10.0.0.1/32", "2001:db8::1/128" */
  address: string;
  family: Family;
  index: number;
  /** device name (filled when listing) */
  dev?: string;
  /** for point-to-point v4 addresses: the peer, when it differs from the local address */
  peer?: string;
  scope: Scope | `${number}`;
  /** IFA_F_* flags (IFA_FLAGS when present) */
  flags: number;
  label?: string;
}

export interface AddressSpec {
  dev: LinkRef;
  /** with /len; a bare address means a host prefix (/32, /128) */
  address: string;
  /** IPv6: skip duplicate address detection so the address is usable at once */
  nodad?: boolean;
  scope?: Scope;
}

export interface AddressFilter {
  dev?: LinkRef;
  family?: Family;
}

function familyCode(f: Family | undefined): number {
  return f === 4 ? AF_INET : f === 6 ? AF_INET6 : AF_UNSPEC;
}

export function decodeAddress(m: NlMessage): Address | undefined {
  const p = m.payload;
  if (p.length < IFADDRMSG_LEN) return undefined;
  const fam = p[0] === AF_INET ? 4 : p[0] === AF_INET6 ? 6 : undefined;
  if (!fam) return undefined;
  const len = p[1];
  const a = parseAttrs(p, IFADDRMSG_LEN);
  const local = a.get(IFA_LOCAL);
  const addr = a.get(IFA_ADDRESS);
  const main = local ?? addr;
  if (!main || !ipText(main)) return undefined;
  const out: Address = {
    address: formatPrefix(main, len),
    family: fam,
    index: p.readUInt32LE(4),
    scope: scopeName(p[3]),
    flags: attrU32(a, IFA_FLAGS) ?? p[2],
  };
  const peer = local && addr && !local.equals(addr) ? ipText(addr) : undefined;
  if (peer) out.peer = peer;
  const label = attrString(a, IFA_LABEL);
  if (label) out.label = label;
  return out;
}

export class Addresses {
  constructor(private readonly sock: NetlinkSocket, private readonly links: Links) {}

  private write(type: number, flags: number, spec: AddressSpec): void {
    const p = parsePrefix(spec.address);
    const index = this.links.index(spec.dev);
    const fam = familyCode(p.family);
    this.sock.request(type, flags, (w: MessageWriter) => {
      const ifaFlags = spec.nodad && type === RTM_NEWADDR ? IFA_F_NODAD : 0;
      w.u8(fam).u8(p.len).u8(ifaFlags).u8(spec.scope ? scopeNumber(spec.scope) : 0).u32(index);
      w.attr(IFA_LOCAL, p.bytes);
      w.attr(IFA_ADDRESS, p.bytes);
      if (ifaFlags) w.attrU32(IFA_FLAGS, ifaFlags);
    }, () => `${type === RTM_NEWADDR ? 'RTM_NEWADDR' : 'RTM_DELADDR'} ${spec.address} dev ${String(spec.dev)}`);
  }

  /** Adds; NetlinkError EEXIST if already present. */
  add(spec: AddressSpec): void {
    this.write(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, spec);
  }
  /** Adds or updates (idempotent). */
  replace(spec: AddressSpec): void {
    this.write(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, spec);
  }
  /** Deletes; NetlinkError EADDRNOTAVAIL if absent. */
  del(spec: AddressSpec): void {
    this.write(RTM_DELADDR, 0, spec);
  }

  list(filter: AddressFilter = {}): Address[] {
    const index = filter.dev !== undefined ? this.links.index(filter.dev) : 0;
    const names = new Map(this.links.list().map((l) => [l.index, l.name]));
    // With strict checking the kernel filters by ifindex itself.
    const out = this.sock.dump(RTM_GETADDR, (w) => {
      w.u8(familyCode(filter.family)).u8(0).u8(0).u8(0).u32(index);
    }, () => `RTM_GETADDR dump${index ? ` ifindex ${index}` : ''}`, decodeAddress);
    for (const a of out) {
      const n = names.get(a.index);
      if (n) a.dev = n;
    }
    return out.filter((a) => (filter.family === undefined || a.family === filter.family) && (!index || a.index === index));
  }
}
