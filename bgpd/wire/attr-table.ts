// THE path attribute table (after BIRD's proto/bgp/attrs.c): one row per attribute type with its
// required flags, how to decode and encode it, and the RFC 7606 action when it is malformed.
// Decoding and encoding loops (attributes.ts) only walk this table; per-attribute rules live here.
import { AsPathSegmentType, AttrFlag, AttrType, ErrorAction, Origin } from './types';
import type {
  AsPathSegment,
  CodecContext,
  MpReach,
  MpUnreach,
  PathAttributes,
  WireNotification,
  WireProblem,
} from './types';
import { UpdateSub } from './codes';
import { formatIPv4, parseIPv4 } from './addr';
import { as4PathOf, decodeAsPath, encodeAsPath, needsAs4Path } from './attr-aspath';
import { UNKNOWN_FAMILY, decodeMpReach, decodeMpUnreach, mpReachReservedByte } from './attr-mp';
import { checkAigp, checkOtc, checkPmsiTunnel, checkPrefixSid, checkTunnelEncap } from './attr-opaque';

/** Attribute types we only validate and carry raw (not in AttrType because nothing reads them). */
export const enum OpaqueAttr {
  PMSI_TUNNEL = 22,
  TUNNEL_ENCAP = 23,
  AIGP = 26,
  OTC = 35,
  PREFIX_SID = 40,
}

/** Everything decoding one UPDATE's attributes accumulates. */
export interface AttrDecodeState {
  ctx: CodecContext;
  attrs: PathAttributes;
  problems: WireProblem[];
  as4Path?: AsPathSegment[];
  as4Aggregator?: { asn: number; address: string };
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** The NOTIFICATION for the first SESSION_RESET / AFISAFI_DISABLE problem. */
  fatal?: WireNotification;
}

/** null: fine. string: malformed, use the row's action. Object: a specific action (e.g. discard). */
export type Verdict = null | string | { action: ErrorAction; reason: string };

export interface AttrSpec {
  name: string;
  /** The Optional and Transitive bits the attribute must carry (RFC 7606 §3(c)). */
  flags: number;
  /** RFC 7606 action for a malformed value, bad length or wrong flags. */
  onError: ErrorAction;
  /** NOTIFICATION subcode when onError is AFISAFI_DISABLE or SESSION_RESET. */
  subcode: number;
  decode(v: Uint8Array, st: AttrDecodeState, flags: number, type: number): Verdict;
  /** Value bytes for `attrs`, or null when the attribute is absent. Absent for MP_* and raw rows. */
  encode?(attrs: PathAttributes, ctx: CodecContext): Uint8Array | null;
}

const WK = AttrFlag.TRANSITIVE; // well-known: Optional 0, Transitive 1
const OT = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const ON = AttrFlag.OPTIONAL;

function u32(v: Uint8Array, o: number): number {
  return ((v[o] << 24) | (v[o + 1] << 16) | (v[o + 2] << 8) | v[o + 3]) >>> 0;
}

function putU32(out: Uint8Array, o: number, x: number): void {
  out[o] = x >>> 24;
  out[o + 1] = (x >>> 16) & 0xff;
  out[o + 2] = (x >>> 8) & 0xff;
  out[o + 3] = x & 0xff;
}

function u32Value(x: number): Uint8Array {
  const b = new Uint8Array(4);
  putU32(b, 0, x >>> 0);
  return b;
}

function ipv4Value(text: string, what: string): Uint8Array {
  const a = parseIPv4(text);
  if (!a) throw new Error(`${what} is not a dotted quad: ${text}`);
  return a;
}

function aggregatorValue(asn: number, address: string, width: 2 | 4): Uint8Array {
  const b = new Uint8Array(width + 4);
  if (width === 4) putU32(b, 0, asn);
  else {
    const a = asn > 0xffff ? 23456 : asn;
    b[0] = a >> 8;
    b[1] = a & 0xff;
  }
  b.set(ipv4Value(address, 'aggregator address'), width);
  return b;
}

const discard = (reason: string): Verdict => ({ action: ErrorAction.ATTRIBUTE_DISCARD, reason });

/** Keep a validated attribute as raw bytes, if it is transitive (non-transitive ones stop here). */
function keepRaw(v: Uint8Array, st: AttrDecodeState, flags: number, type: number): void {
  if ((flags & AttrFlag.TRANSITIVE) === 0) return;
  (st.attrs.unknown ??= []).push({ flags: flags & ~AttrFlag.EXTENDED_LENGTH & 0xf0, type, value: Uint8Array.from(v) });
}

function opaque(name: string, flags: number, onError: ErrorAction, check: (v: Uint8Array) => string | null): AttrSpec {
  return {
    name,
    flags,
    onError,
    subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
    decode(v, st, f, type) {
      const why = check(v);
      if (why) return why;
      keepRaw(v, st, f, type);
      return null;
    },
  };
}

function isBadNextHop(v: Uint8Array): boolean {
  // 0/8 ("this network"), 127/8 loopback, 224/4 multicast and 240/4 reserved are never a next hop.
  return v[0] === 0 || v[0] === 127 || v[0] >= 224;
}

export const ATTR_TABLE: ReadonlyMap<number, AttrSpec> = new Map<number, AttrSpec>([
  [
    AttrType.ORIGIN,
    {
      name: 'ORIGIN',
      flags: WK,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.INVALID_ORIGIN,
      decode(v, st) {
        if (v.length !== 1) return `length ${v.length} (want 1)`;
        if (v[0] > Origin.INCOMPLETE) return `value ${v[0]}`;
        st.attrs.origin = v[0] as Origin;
        return null;
      },
      encode: (a) => (a.origin === undefined ? null : Uint8Array.of(a.origin)),
    },
  ],
  [
    AttrType.AS_PATH,
    {
      name: 'AS_PATH',
      flags: WK,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.MALFORMED_AS_PATH,
      decode(v, st) {
        const path = decodeAsPath(v, 0, v.length, st.ctx.as4 ? 4 : 2);
        if (typeof path === 'string') return path;
        // An eBGP peer always prepends its AS (RFC 4271 §5.1.2); an empty path is malformed.
        if (path.length === 0 && !st.ctx.ibgp) return 'empty AS_PATH from an eBGP peer';
        if (!st.ctx.ibgp && !st.ctx.confederationPeer && path.some((s) => s.type > AsPathSegmentType.AS_SEQUENCE)) {
          return 'confederation segment from an eBGP peer outside the confederation';
        }
        st.attrs.asPath = path;
        return null;
      },
      encode: (a, ctx) => (a.asPath === undefined ? null : encodeAsPath(a.asPath, ctx.as4 ? 4 : 2)),
    },
  ],
  [
    AttrType.NEXT_HOP,
    {
      name: 'NEXT_HOP',
      flags: WK,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.INVALID_NEXT_HOP,
      decode(v, st) {
        if (v.length !== 4) return `length ${v.length} (want 4)`;
        if (isBadNextHop(v)) return `address ${formatIPv4(v)} is not a unicast host address`;
        st.attrs.nextHop = formatIPv4(v);
        return null;
      },
      encode: (a) => (a.nextHop === undefined ? null : ipv4Value(a.nextHop, 'NEXT_HOP')),
    },
  ],
  [
    AttrType.MULTI_EXIT_DISC,
    {
      name: 'MULTI_EXIT_DISC',
      flags: ON,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.ATTRIBUTE_LENGTH,
      decode(v, st) {
        if (v.length !== 4) return `length ${v.length} (want 4)`;
        st.attrs.med = u32(v, 0);
        return null;
      },
      encode: (a) => (a.med === undefined ? null : u32Value(a.med)),
    },
  ],
  [
    AttrType.LOCAL_PREF,
    {
      name: 'LOCAL_PREF',
      flags: WK,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.ATTRIBUTE_LENGTH,
      decode(v, st) {
        // RFC 7606 §7.5: from an external peer it is discarded whatever its content.
        if (!st.ctx.ibgp) return discard('LOCAL_PREF from an eBGP peer');
        if (v.length !== 4) return `length ${v.length} (want 4)`;
        st.attrs.localPref = u32(v, 0);
        return null;
      },
      encode: (a, ctx) => (a.localPref === undefined || !ctx.ibgp ? null : u32Value(a.localPref)),
    },
  ],
  [
    AttrType.ATOMIC_AGGREGATE,
    {
      name: 'ATOMIC_AGGREGATE',
      flags: WK,
      onError: ErrorAction.ATTRIBUTE_DISCARD,
      subcode: UpdateSub.ATTRIBUTE_LENGTH,
      decode(v, st) {
        if (v.length !== 0) return `length ${v.length} (want 0)`;
        st.attrs.atomicAggregate = true;
        return null;
      },
      encode: (a) => (a.atomicAggregate ? new Uint8Array(0) : null),
    },
  ],
  [
    AttrType.AGGREGATOR,
    {
      name: 'AGGREGATOR',
      flags: OT,
      onError: ErrorAction.ATTRIBUTE_DISCARD,
      subcode: UpdateSub.ATTRIBUTE_LENGTH,
      decode(v, st) {
        const w = st.ctx.as4 ? 4 : 2;
        if (v.length !== w + 4) return `length ${v.length} (want ${w + 4})`;
        const asn = w === 4 ? u32(v, 0) : (v[0] << 8) | v[1];
        st.attrs.aggregator = { asn, address: formatIPv4(v, w) };
        return null;
      },
      encode: (a, ctx) => (a.aggregator === undefined ? null : aggregatorValue(a.aggregator.asn, a.aggregator.address, ctx.as4 ? 4 : 2)),
    },
  ],
  [
    AttrType.COMMUNITIES,
    {
      name: 'COMMUNITIES',
      flags: OT,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        if (v.length === 0 || v.length % 4 !== 0) return `length ${v.length} (want a non-zero multiple of 4)`;
        const out = new Array<number>(v.length / 4);
        for (let i = 0; i < out.length; i++) out[i] = u32(v, 4 * i);
        st.attrs.communities = out;
        return null;
      },
      encode(a) {
        if (!a.communities || a.communities.length === 0) return null;
        const b = new Uint8Array(4 * a.communities.length);
        a.communities.forEach((c, i) => putU32(b, 4 * i, c >>> 0));
        return b;
      },
    },
  ],
  [
    AttrType.ORIGINATOR_ID,
    {
      name: 'ORIGINATOR_ID',
      flags: ON,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.ATTRIBUTE_LENGTH,
      decode(v, st) {
        if (v.length !== 4) return `length ${v.length} (want 4)`;
        // Route-reflection attributes only make sense inside the AS (RFC 4456 §8).
        if (!st.ctx.ibgp) return discard('ORIGINATOR_ID from an eBGP peer');
        st.attrs.originatorId = formatIPv4(v);
        return null;
      },
      encode: (a, ctx) => (a.originatorId === undefined || !ctx.ibgp ? null : ipv4Value(a.originatorId, 'ORIGINATOR_ID')),
    },
  ],
  [
    AttrType.CLUSTER_LIST,
    {
      name: 'CLUSTER_LIST',
      flags: ON,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.ATTRIBUTE_LENGTH,
      decode(v, st) {
        if (v.length === 0 || v.length % 4 !== 0) return `length ${v.length} (want a non-zero multiple of 4)`;
        if (!st.ctx.ibgp) return discard('CLUSTER_LIST from an eBGP peer');
        const out: string[] = [];
        for (let i = 0; i < v.length; i += 4) out.push(formatIPv4(v, i));
        st.attrs.clusterList = out;
        return null;
      },
      encode(a, ctx) {
        if (!a.clusterList || a.clusterList.length === 0 || !ctx.ibgp) return null;
        const b = new Uint8Array(4 * a.clusterList.length);
        a.clusterList.forEach((c, i) => b.set(ipv4Value(c, 'cluster id'), 4 * i));
        return b;
      },
    },
  ],
  [
    AttrType.MP_REACH_NLRI,
    {
      name: 'MP_REACH_NLRI',
      flags: ON,
      onError: ErrorAction.AFISAFI_DISABLE,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        const r = decodeMpReach(v, st.ctx);
        if (r === UNKNOWN_FAMILY) return discard(`unsupported AFI/SAFI ${(v[0] << 8) | v[1]}/${v[2]}`);
        if (typeof r === 'string') return r;
        st.mpReach = r;
        if (mpReachReservedByte(v) !== 0) return { action: ErrorAction.NONE, reason: 'reserved byte not 0 (ignored)' };
        return null;
      },
    },
  ],
  [
    AttrType.MP_UNREACH_NLRI,
    {
      name: 'MP_UNREACH_NLRI',
      flags: ON,
      onError: ErrorAction.AFISAFI_DISABLE,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        const r = decodeMpUnreach(v);
        if (r === UNKNOWN_FAMILY) return discard(`unsupported AFI/SAFI ${(v[0] << 8) | v[1]}/${v[2]}`);
        if (typeof r === 'string') return r;
        st.mpUnreach = r;
        return null;
      },
    },
  ],
  [
    AttrType.EXTENDED_COMMUNITIES,
    {
      name: 'EXTENDED_COMMUNITIES',
      flags: OT,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        if (v.length === 0 || v.length % 8 !== 0) return `length ${v.length} (want a non-zero multiple of 8)`;
        const out: Uint8Array[] = [];
        for (let i = 0; i < v.length; i += 8) out.push(Uint8Array.from(v.subarray(i, i + 8)));
        st.attrs.extCommunities = out;
        return null;
      },
      encode(a) {
        if (!a.extCommunities || a.extCommunities.length === 0) return null;
        const b = new Uint8Array(8 * a.extCommunities.length);
        a.extCommunities.forEach((c, i) => {
          if (c.length !== 8) throw new Error(`extended community must be 8 bytes, got ${c.length}`);
          b.set(c, 8 * i);
        });
        return b;
      },
    },
  ],
  [
    AttrType.AS4_PATH,
    {
      name: 'AS4_PATH',
      flags: OT,
      onError: ErrorAction.ATTRIBUTE_DISCARD,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        // RFC 6793 §4.1: between two 4-octet speakers AS4_PATH has no meaning; discard it.
        if (st.ctx.as4) return discard('AS4_PATH on a 4-octet AS session');
        const path = decodeAsPath(v, 0, v.length, 4);
        if (typeof path === 'string') return path;
        if (path.some((s) => s.type > AsPathSegmentType.AS_SEQUENCE)) return 'confederation segment in AS4_PATH';
        st.as4Path = path;
        return null;
      },
      encode(a, ctx) {
        if (ctx.as4 || !a.asPath || !needsAs4Path(a.asPath)) return null;
        return encodeAsPath(as4PathOf(a.asPath), 4);
      },
    },
  ],
  [
    AttrType.AS4_AGGREGATOR,
    {
      name: 'AS4_AGGREGATOR',
      flags: OT,
      onError: ErrorAction.ATTRIBUTE_DISCARD,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        if (st.ctx.as4) return discard('AS4_AGGREGATOR on a 4-octet AS session');
        if (v.length !== 8) return `length ${v.length} (want 8)`;
        st.as4Aggregator = { asn: u32(v, 0), address: formatIPv4(v, 4) };
        return null;
      },
      encode(a, ctx) {
        if (ctx.as4 || !a.aggregator || a.aggregator.asn <= 0xffff) return null;
        return aggregatorValue(a.aggregator.asn, a.aggregator.address, 4);
      },
    },
  ],
  [
    AttrType.LARGE_COMMUNITY,
    {
      name: 'LARGE_COMMUNITY',
      flags: OT,
      onError: ErrorAction.TREAT_AS_WITHDRAW,
      subcode: UpdateSub.OPTIONAL_ATTRIBUTE,
      decode(v, st) {
        if (v.length === 0 || v.length % 12 !== 0) return `length ${v.length} (want a non-zero multiple of 12)`;
        const out = [];
        for (let i = 0; i < v.length; i += 12) out.push({ global: u32(v, i), local1: u32(v, i + 4), local2: u32(v, i + 8) });
        st.attrs.largeCommunities = out;
        return null;
      },
      encode(a) {
        if (!a.largeCommunities || a.largeCommunities.length === 0) return null;
        const b = new Uint8Array(12 * a.largeCommunities.length);
        a.largeCommunities.forEach((c, i) => {
          putU32(b, 12 * i, c.global >>> 0);
          putU32(b, 12 * i + 4, c.local1 >>> 0);
          putU32(b, 12 * i + 8, c.local2 >>> 0);
        });
        return b;
      },
    },
  ],
  [OpaqueAttr.PMSI_TUNNEL, opaque('PMSI_TUNNEL', OT, ErrorAction.ATTRIBUTE_DISCARD, checkPmsiTunnel)],
  [OpaqueAttr.TUNNEL_ENCAP, opaque('TUNNEL_ENCAPSULATION', OT, ErrorAction.TREAT_AS_WITHDRAW, checkTunnelEncap)],
  [OpaqueAttr.AIGP, opaque('AIGP', ON, ErrorAction.ATTRIBUTE_DISCARD, checkAigp)],
  [OpaqueAttr.OTC, opaque('OTC', OT, ErrorAction.TREAT_AS_WITHDRAW, checkOtc)],
  [OpaqueAttr.PREFIX_SID, opaque('PREFIX_SID', OT, ErrorAction.TREAT_AS_WITHDRAW, checkPrefixSid)],
]);
