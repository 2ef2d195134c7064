// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760) for IPv4/IPv6 unicast, IPv6 global + link-local next
// hops (RFC 2545) and extended next hops (RFC 8950). Parsing returns a reason string when the
// attribute is malformed; the attribute table maps that to AFI/SAFI disable (RFC 7606 §7.11).
import { Afi, AttrFlag, AttrType, Safi } from './types';
import type { CodecContext, MpReach, MpUnreach, PrefixKey } from './types';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './addr';
import { readNlri, writeKey } from './nlri';
import { maxPrefixLength } from './prefix';

export function isKnownFamily(afi: number, safi: number): boolean {
  return (afi === Afi.IPv4 || afi === Afi.IPv6) && safi === Safi.Unicast;
}

function extendedNextHopAllowed(ctx: CodecContext, afi: Afi, nhAfi: Afi): boolean {
  return (ctx.extendedNextHop ?? []).some((e) => e.afi === afi && e.safi === Safi.Unicast && e.nextHopAfi === nhAfi);
}

/** Marker for "known attribute, unknown family": the caller discards the attribute. */
export const UNKNOWN_FAMILY = Symbol('unknown family');

export function decodeMpReach(v: Uint8Array, ctx: CodecContext): MpReach | string | typeof UNKNOWN_FAMILY {
  if (v.length < 5) return `length ${v.length} below 5`;
  const afi = (v[0] << 8) | v[1];
  const safi = v[2];
  if (!isKnownFamily(afi, safi)) return UNKNOWN_FAMILY;
  const nhLen = v[3];
  if (4 + nhLen + 1 > v.length) return `next hop length ${nhLen} overruns the attribute`;
  const nextHops: string[] = [];
  const nh = 4;
  if (nhLen === 4 && (afi === Afi.IPv4 || extendedNextHopAllowed(ctx, afi, Afi.IPv4))) {
    nextHops.push(formatIPv4(v, nh));
  } else if ((nhLen === 16 || nhLen === 32) && (afi === Afi.IPv6 || extendedNextHopAllowed(ctx, afi, Afi.IPv6))) {
    nextHops.push(formatIPv6(v, nh));
    if (nhLen === 32) nextHops.push(formatIPv6(v, nh + 16));
  } else {
    return `next hop length ${nhLen} invalid for AFI ${afi}`;
  }
  // The reserved byte (RFC 4760 §3) "SHOULD be ignored upon receipt".
  const nlri: PrefixKey[] = [];
  const bad = readNlri(v, 4 + nhLen + 1, v.length, maxPrefixLength(afi), nlri);
  if (bad >= 0) return `NLRI malformed at byte ${bad}`;
  return { afi: afi as Afi, safi: safi as Safi, nextHops, nlri };
}

export function mpReachReservedByte(v: Uint8Array): number {
  return v.length >= 5 && 4 + v[3] < v.length ? v[4 + v[3]] : 0;
}

export function decodeMpUnreach(v: Uint8Array): MpUnreach | string | typeof UNKNOWN_FAMILY {
  if (v.length < 3) return `length ${v.length} below 3`;
  const afi = (v[0] << 8) | v[1];
  const safi = v[2];
  if (!isKnownFamily(afi, safi)) return UNKNOWN_FAMILY;
  const withdrawn: PrefixKey[] = [];
  const bad = readNlri(v, 3, v.length, maxPrefixLength(afi), withdrawn);
  if (bad >= 0) return `withdrawn NLRI malformed at byte ${bad}`;
  return { afi: afi as Afi, safi: safi as Safi, withdrawn };
}

/** Next hop bytes for MP_REACH: one IPv4, or one/two IPv6 (global, link-local). Throws on bad text. */
export function encodeNextHops(nextHops: readonly string[]): Uint8Array {
  if (nextHops.length === 1 && !nextHops[0].includes(':')) {
    const a = parseIPv4(nextHops[0]);
    if (!a) throw new Error(`bad IPv4 next hop ${nextHops[0]}`);
    return a;
  }
  if (nextHops.length < 1 || nextHops.length > 2) throw new Error(`MP_REACH needs 1 or 2 next hops, got ${nextHops.length}`);
  const out = new Uint8Array(16 * nextHops.length);
  nextHops.forEach((t, i) => {
    const a = parseIPv6(t);
    if (!a) throw new Error(`bad IPv6 next hop ${t}`);
    out.set(a, 16 * i);
  });
  return out;
}

/**
 * MP attributes always use the extended-length header (4 bytes): their size varies with the NLRI
 * packed into them, and a fixed header size lets packUpdates fill a message in one pass.
 */
export const MP_ATTR_HEADER = 4;
export const MP_FLAGS = AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH;

/** Attribute header (extended length) + AFI + SAFI unicast, common to both MP attributes; returns o + 7. */
function writeMpCommon(b: Uint8Array, o: number, type: AttrType, afi: Afi, valueLen: number): number {
  b[o] = MP_FLAGS;
  b[o + 1] = type;
  b[o + 2] = valueLen >> 8;
  b[o + 3] = valueLen & 0xff;
  b[o + 4] = afi >> 8;
  b[o + 5] = afi & 0xff;
  b[o + 6] = Safi.Unicast;
  return o + 7;
}

/** Write MP_REACH header + afi/safi/next hop/reserved; returns offset where NLRI goes. */
export function writeMpReachHead(b: Uint8Array, o: number, afi: Afi, nh: Uint8Array, nlriBytes: number): number {
  const p = writeMpCommon(b, o, AttrType.MP_REACH_NLRI, afi, 5 + nh.length + nlriBytes);
  b[p] = nh.length;
  b.set(nh, p + 1);
  b[p + 1 + nh.length] = 0;
  return p + 2 + nh.length;
}

export function writeMpUnreachHead(b: Uint8Array, o: number, afi: Afi, nlriBytes: number): number {
  return writeMpCommon(b, o, AttrType.MP_UNREACH_NLRI, afi, 3 + nlriBytes);
}

function keysSize(keys: readonly PrefixKey[]): number {
  let n = 0;
  for (const k of keys) n += k.length;
  return n;
}

/** Whole MP_REACH attribute (header included) for one decoded MpReach. */
export function encodeMpReach(r: MpReach): Uint8Array {
  const nh = encodeNextHops(r.nextHops);
  const size = keysSize(r.nlri);
  const b = new Uint8Array(MP_ATTR_HEADER + 5 + nh.length + size);
  let o = writeMpReachHead(b, 0, r.afi, nh, size);
  for (const k of r.nlri) o = writeKey(b, o, k);
  return b;
}

export function encodeMpUnreach(u: MpUnreach): Uint8Array {
  const size = keysSize(u.withdrawn);
  const b = new Uint8Array(MP_ATTR_HEADER + 3 + size);
  let o = writeMpUnreachHead(b, 0, u.afi, size);
  for (const k of u.withdrawn) o = writeKey(b, o, k);
  return b;
}
