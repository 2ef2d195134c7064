// Outbound bulk path: fill UPDATEs with as many prefixes as fit, sharing one pre-encoded attribute
// block (from encodeAttributes) across all of them and across every peer of an update group.
import { Afi, MsgType } from './types';
import type { CodecContext, PrefixKey, UpdateMessage } from './types';
import { HEADER_LEN } from './codes';
import { allocMessage } from './header';
import { writeKey } from './nlri';
import { MP_ATTR_HEADER, encodeNextHops, writeMpReachHead, writeMpUnreachHead } from './attr-mp';

/** Split keys into runs whose wire size fits `room` bytes each. Returns [start, end, bytes] triples. */
function runs(keys: readonly PrefixKey[], room: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) {
    const n = keys[i].length;
    if (bytes + n > room) {
      out.push([start, i, bytes]);
      start = i;
      bytes = 0;
    }
    bytes += n;
  }
  if (keys.length > start) out.push([start, keys.length, bytes]);
  return out;
}

/** The largest single prefix (IPv6 /128 = 17 bytes) must fit, or packing cannot make progress. */
function checkRoom(room: number, what: string): void {
  if (room < 17) throw new RangeError(`${what}: no room for NLRI (${room} bytes left)`);
}

/**
 * UPDATEs announcing `nlri` with `attrBytes`. IPv4 with an IPv4 (or no) next hop uses the classic
 * NLRI field (attrBytes must then hold NEXT_HOP); everything else goes in MP_REACH, placed first.
 */
export function packUpdates(opts: {
  afi: Afi;
  attrBytes: Buffer;
  nextHops?: string[];
  nlri: PrefixKey[];
  maxSize: number;
  ctx: CodecContext;
}): Buffer[] {
  const { afi, attrBytes, nlri, maxSize } = opts;
  if (nlri.length === 0) return [];
  const nextHops = opts.nextHops ?? [];
  const classic = afi === Afi.IPv4 && (nextHops.length === 0 || !nextHops[0].includes(':'));
  const out: Buffer[] = [];
  if (classic) {
    const fixed = HEADER_LEN + 4 + attrBytes.length;
    checkRoom(maxSize - fixed, 'packUpdates');
    for (const [s, e, bytes] of runs(nlri, maxSize - fixed)) {
      const b = allocMessage(MsgType.UPDATE, fixed + bytes);
      let o = HEADER_LEN;
      b[o++] = 0;
      b[o++] = 0;
      b.writeUInt16BE(attrBytes.length, o);
      o += 2;
      attrBytes.copy(b, o);
      o += attrBytes.length;
      for (let i = s; i < e; i++) o = writeKey(b, o, nlri[i]);
      out.push(b);
    }
    return out;
  }
  if (nextHops.length === 0) throw new Error('packUpdates: MP_REACH needs a next hop');
  const nh = encodeNextHops(nextHops);
  const mpFixed = MP_ATTR_HEADER + 5 + nh.length;
  const fixed = HEADER_LEN + 4 + mpFixed + attrBytes.length;
  // The MP attribute's own 2-byte length caps its NLRI too.
  const room = Math.min(maxSize - fixed, 0xffff - 5 - nh.length);
  checkRoom(room, 'packUpdates');
  for (const [s, e, bytes] of runs(nlri, room)) {
    const b = allocMessage(MsgType.UPDATE, fixed + bytes);
    let o = HEADER_LEN;
    b[o++] = 0;
    b[o++] = 0;
    b.writeUInt16BE(mpFixed + bytes + attrBytes.length, o);
    o += 2;
    o = writeMpReachHead(b, o, afi, nh, bytes);
    for (let i = s; i < e; i++) o = writeKey(b, o, nlri[i]);
    attrBytes.copy(b, o);
    out.push(b);
  }
  return out;
}

/** UPDATEs withdrawing `prefixes`: the classic field for IPv4, MP_UNREACH for IPv6. */
export function packWithdrawals(opts: { afi: Afi; prefixes: PrefixKey[]; maxSize: number; ctx: CodecContext }): Buffer[] {
  const { afi, prefixes, maxSize } = opts;
  if (prefixes.length === 0) return [];
  const out: Buffer[] = [];
  if (afi === Afi.IPv4) {
    const fixed = HEADER_LEN + 4;
    for (const [s, e, bytes] of runs(prefixes, maxSize - fixed)) {
      const b = allocMessage(MsgType.UPDATE, fixed + bytes);
      let o = HEADER_LEN;
      b.writeUInt16BE(bytes, o);
      o += 2;
      for (let i = s; i < e; i++) o = writeKey(b, o, prefixes[i]);
      b[o] = 0;
      b[o + 1] = 0;
      out.push(b);
    }
    return out;
  }
  const fixed = HEADER_LEN + 4 + MP_ATTR_HEADER + 3;
  const room = Math.min(maxSize - fixed, 0xffff - 3);
  for (const [s, e, bytes] of runs(prefixes, room)) {
    const b = allocMessage(MsgType.UPDATE, fixed + bytes);
    let o = HEADER_LEN;
    b[o++] = 0;
    b[o++] = 0;
    b.writeUInt16BE(MP_ATTR_HEADER + 3 + bytes, o);
    o += 2;
    o = writeMpUnreachHead(b, o, afi, bytes);
    for (let i = s; i < e; i++) o = writeKey(b, o, prefixes[i]);
    out.push(b);
  }
  return out;
}

/** End-of-RIB marker (RFC 4724 §2): an empty UPDATE for IPv4, an empty MP_UNREACH otherwise. */
export function encodeEndOfRib(afi: Afi): Buffer {
  if (afi === Afi.IPv4) {
    const b = allocMessage(MsgType.UPDATE, HEADER_LEN + 4);
    b.fill(0, HEADER_LEN);
    return b;
  }
  const b = allocMessage(MsgType.UPDATE, HEADER_LEN + 4 + MP_ATTR_HEADER + 3);
  b[HEADER_LEN] = 0;
  b[HEADER_LEN + 1] = 0;
  b.writeUInt16BE(MP_ATTR_HEADER + 3, HEADER_LEN + 2);
  writeMpUnreachHead(b, HEADER_LEN + 4, afi, 0);
  return b;
}

/** The family an UPDATE is the End-of-RIB marker of, or null. */
export function endOfRibFamily(msg: UpdateMessage): Afi | null {
  if (msg.withdrawn.length > 0 || msg.nlri.length > 0 || msg.mpReach || Object.keys(msg.attrs).length > 0) return null;
  if (!msg.mpUnreach) return Afi.IPv4;
  return msg.mpUnreach.withdrawn.length === 0 ? msg.mpUnreach.afi : null;
}
