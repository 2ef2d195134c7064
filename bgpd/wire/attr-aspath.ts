// AS_PATH / AS4_PATH segments (RFC 4271 §4.3, RFC 5065 confed segments) in 2- and 4-octet form,
// and the RFC 6793 §4.2.3 merge of AS_PATH with AS4_PATH from 2-octet speakers.
import { AsPathSegmentType } from './types';
import type { AsPathSegment } from './types';
import { AS_TRANS } from './codes';

const MAX_SEGMENT = 255;

function isConfed(t: AsPathSegmentType): boolean {
  return t === AsPathSegmentType.AS_CONFED_SEQUENCE || t === AsPathSegmentType.AS_CONFED_SET;
}

function isSequence(t: AsPathSegmentType): boolean {
  return t === AsPathSegmentType.AS_SEQUENCE || t === AsPathSegmentType.AS_CONFED_SEQUENCE;
}

export function hasSet(path: readonly AsPathSegment[]): boolean {
  return path.some((s) => s.type === AsPathSegmentType.AS_SET || s.type === AsPathSegmentType.AS_CONFED_SET);
}

/**
 * Segments of b[start..end) with `width`-byte ASNs, or a reason (RFC 7606 §7.2: unknown segment
 * type, zero-length segment, overrun, or a lone trailing byte). A sequence split at 255 ASNs by
 * the sender (as we do on encode) is joined again, so long paths round-trip to one segment.
 */
export function decodeAsPath(b: Uint8Array, start: number, end: number, width: 2 | 4): AsPathSegment[] | string {
  const out: AsPathSegment[] = [];
  let i = start;
  while (i < end) {
    if (end - i < 2) return 'segment header truncated';
    const type = b[i];
    const n = b[i + 1];
    if (type < AsPathSegmentType.AS_SET || type > AsPathSegmentType.AS_CONFED_SET) return `segment type ${type}`;
    if (n === 0) return 'zero-length segment';
    const stop = i + 2 + n * width;
    if (stop > end) return `segment of ${n} ASNs overruns the attribute`;
    const asns = new Array<number>(n);
    let p = i + 2;
    if (width === 4) {
      for (let k = 0; k < n; k++, p += 4) asns[k] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    } else {
      for (let k = 0; k < n; k++, p += 2) asns[k] = (b[p] << 8) | b[p + 1];
    }
    const prev = out[out.length - 1];
    if (prev && prev.type === type && isSequence(type) && prev.asns.length % MAX_SEGMENT === 0) {
      for (const a of asns) prev.asns.push(a);
    } else {
      out.push({ type: type as AsPathSegmentType, asns });
    }
    i = stop;
  }
  return out;
}

/**
 * Wire bytes of a path with `width`-byte ASNs; 4-octet ASNs become AS_TRANS at width 2.
 * Segments longer than 255 are split (RFC 4271 limit), empty segments are skipped.
 */
export function encodeAsPath(path: readonly AsPathSegment[], width: 2 | 4): Uint8Array {
  let size = 0;
  for (const s of path) {
    const n = s.asns.length;
    if (n === 0) continue;
    size += Math.ceil(n / MAX_SEGMENT) * 2 + n * width;
  }
  const b = new Uint8Array(size);
  let o = 0;
  for (const s of path) {
    for (let from = 0; from < s.asns.length; from += MAX_SEGMENT) {
      const chunk = Math.min(MAX_SEGMENT, s.asns.length - from);
      b[o++] = s.type;
      b[o++] = chunk;
      for (let k = from; k < from + chunk; k++) {
        const a = s.asns[k] >>> 0;
        if (width === 4) {
          b[o++] = a >>> 24;
          b[o++] = (a >>> 16) & 0xff;
          b[o++] = (a >>> 8) & 0xff;
          b[o++] = a & 0xff;
        } else {
          const v = a > 0xffff ? AS_TRANS : a;
          b[o++] = v >> 8;
          b[o++] = v & 0xff;
        }
      }
    }
  }
  return b;
}

/** Path length as RFC 6793 §4.2.3 counts it: a set counts 1, confederation segments 0. */
export function countAsns(path: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of path) {
    if (isConfed(s.type)) continue;
    n += s.type === AsPathSegmentType.AS_SET ? 1 : s.asns.length;
  }
  return n;
}

/** Does the path need AS4_PATH when sent to a 2-octet speaker (any non-confed ASN above 65535)? */
export function needsAs4Path(path: readonly AsPathSegment[]): boolean {
  return path.some((s) => !isConfed(s.type) && s.asns.some((a) => a > 0xffff));
}

/** The AS4_PATH to send with a path: the path without its confederation segments (RFC 6793 §4.2.2). */
export function as4PathOf(path: readonly AsPathSegment[]): AsPathSegment[] {
  return path.filter((s) => !isConfed(s.type));
}

/**
 * RFC 6793 §4.2.3: keep the leading ASNs of AS_PATH that AS4_PATH does not cover (and the
 * leading confederation segments), then append AS4_PATH. Returns null when AS4_PATH is longer
 * than AS_PATH, in which case AS4_PATH must be ignored.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] | null {
  let k = countAsns(asPath) - countAsns(as4Path);
  if (k < 0) return null;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (isConfed(s.type)) {
      out.push({ type: s.type, asns: s.asns.slice() });
      continue;
    }
    if (k === 0) break;
    if (s.type === AsPathSegmentType.AS_SET) {
      out.push({ type: s.type, asns: s.asns.slice() });
      k -= 1;
    } else {
      const take = Math.min(k, s.asns.length);
      out.push({ type: s.type, asns: s.asns.slice(0, take) });
      k -= take;
    }
  }
  // Only the seam between the kept AS_PATH part and AS4_PATH joins: a sequence cut there was one.
  for (let i = 0; i < as4Path.length; i++) {
    const s = as4Path[i];
    const last = out[out.length - 1];
    if (i === 0 && last && last.type === AsPathSegmentType.AS_SEQUENCE && s.type === AsPathSegmentType.AS_SEQUENCE) {
      for (const a of s.asns) last.asns.push(a);
    } else {
      out.push({ type: s.type, asns: s.asns.slice() });
    }
  }
  return out;
}
