// AS_PATH facts used by the decision process, loop checks and policy. Paths are small and there is
// one per attribute set (not per prefix), so plain arrays are fine here.
import { AsPathSegmentType } from '../wire/types';
import type { AsPathSegment } from '../wire/types';

/** RFC 4271 §9.1.2.2 a: an AS_SET counts 1; RFC 5065: confederation segments count 0. */
export function asPathLength(path: AsPathSegment[] | undefined): number {
  let n = 0;
  for (const seg of path ?? []) {
    if (seg.type === AsPathSegmentType.AS_SEQUENCE) n += seg.asns.length;
    else if (seg.type === AsPathSegmentType.AS_SET) n += 1;
  }
  return n;
}

/** The AS we heard the route from (leftmost AS_SEQUENCE entry, confederation segments skipped); 0 if none. */
export function neighborAs(path: AsPathSegment[] | undefined): number {
  for (const seg of path ?? []) {
    if (seg.type === AsPathSegmentType.AS_CONFED_SEQUENCE || seg.type === AsPathSegmentType.AS_CONFED_SET) continue;
    return seg.type === AsPathSegmentType.AS_SEQUENCE && seg.asns.length > 0 ? seg.asns[0] : 0;
  }
  return 0;
}

/** The originating AS (last entry of a trailing AS_SEQUENCE); 0 if unknown (empty or ends in a set). */
export function originAs(path: AsPathSegment[] | undefined): number {
  if (!path || path.length === 0) return 0;
  const last = path[path.length - 1];
  if (last.type !== AsPathSegmentType.AS_SEQUENCE || last.asns.length === 0) return 0;
  return last.asns[last.asns.length - 1];
}

export function countAs(path: AsPathSegment[] | undefined, asn: number): number {
  let n = 0;
  for (const seg of path ?? []) for (const a of seg.asns) if (a === asn) n++;
  return n;
}

/** "65001 65002 {65003,65004} (65005)" — the form AS-path regexes run against. */
export function asPathString(path: AsPathSegment[] | undefined): string {
  const parts: string[] = [];
  for (const seg of path ?? []) {
    const list = seg.asns.join(' ');
    switch (seg.type) {
      case AsPathSegmentType.AS_SEQUENCE: parts.push(list); break;
      case AsPathSegmentType.AS_SET: parts.push(`{${seg.asns.join(',')}}`); break;
      case AsPathSegmentType.AS_CONFED_SEQUENCE: parts.push(`(${list})`); break;
      default: parts.push(`[${seg.asns.join(',')}]`);
    }
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** A new path with `asn` prepended `count` times (segments are capped at 255 ASNs). */
export function prependAs(path: AsPathSegment[] | undefined, asn: number, count: number): AsPathSegment[] {
  const out = (path ?? []).map((s) => ({ type: s.type, asns: s.asns.slice() }));
  for (let i = 0; i < count; i++) {
    const first = out[0];
    if (first && first.type === AsPathSegmentType.AS_SEQUENCE && first.asns.length < 255) first.asns.unshift(asn);
    else out.unshift({ type: AsPathSegmentType.AS_SEQUENCE, asns: [asn] });
  }
  return out;
}
