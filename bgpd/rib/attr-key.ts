// Canonical form of an attribute set: the interning key. Two sets that mean the same thing (same
// communities in a different order, duplicates) get the same key, so they share one interned copy.
import type { LargeCommunity, PathAttributes } from '../wire/types';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function cmpLarge(a: LargeCommunity, b: LargeCommunity): number {
  return a.global - b.global || a.local1 - b.local1 || a.local2 - b.local2;
}

/** A frozen copy with set-like lists sorted and de-duplicated; empty optional lists dropped. */
export function normalizeAttrs(a: PathAttributes): PathAttributes {
  const out: PathAttributes = {};
  if (a.origin !== undefined) out.origin = a.origin;
  // AS_PATH is mandatory on the wire even when empty (iBGP, local routes), so always keep one
  out.asPath = (a.asPath ?? []).map((s) => Object.freeze({ type: s.type, asns: s.asns.slice() }));
  if (a.nextHop !== undefined) out.nextHop = a.nextHop;
  if (a.med !== undefined) out.med = a.med;
  if (a.localPref !== undefined) out.localPref = a.localPref;
  if (a.atomicAggregate) out.atomicAggregate = true;
  if (a.aggregator) out.aggregator = { asn: a.aggregator.asn, address: a.aggregator.address };
  if (a.communities && a.communities.length > 0) {
    out.communities = [...new Set(a.communities.map((c) => c >>> 0))].sort((x, y) => x - y);
  }
  if (a.originatorId !== undefined) out.originatorId = a.originatorId;
  if (a.clusterList && a.clusterList.length > 0) out.clusterList = a.clusterList.slice();
  if (a.extCommunities && a.extCommunities.length > 0) {
    const seen = new Map<string, Uint8Array>();
    for (const e of a.extCommunities) seen.set(hex(e), e);
    out.extCommunities = [...seen.keys()].sort().map((k) => seen.get(k) as Uint8Array);
  }
  if (a.largeCommunities && a.largeCommunities.length > 0) {
    const seen = new Map<string, LargeCommunity>();
    for (const l of a.largeCommunities) seen.set(`${l.global}:${l.local1}:${l.local2}`, { ...l });
    out.largeCommunities = [...seen.values()].sort(cmpLarge);
  }
  if (a.unknown && a.unknown.length > 0) {
    out.unknown = a.unknown.map((u) => ({ flags: u.flags, type: u.type, value: u.value })).sort((x, y) => x.type - y.type);
  }
  return Object.freeze(out);
}

/** Key of an already-normalized set. `scope` separates otherwise equal sets (e.g. the source peer). */
export function attrKey(scope: number, a: PathAttributes): string {
  return [
    scope,
    a.origin ?? '',
    (a.asPath ?? []).map((s) => `${s.type}:${s.asns.join(',')}`).join(';'),
    a.nextHop ?? '',
    a.med ?? '',
    a.localPref ?? '',
    a.atomicAggregate ? 1 : '',
    a.aggregator ? `${a.aggregator.asn}@${a.aggregator.address}` : '',
    (a.communities ?? []).join(','),
    a.originatorId ?? '',
    (a.clusterList ?? []).join(','),
    (a.extCommunities ?? []).map(hex).join(','),
    (a.largeCommunities ?? []).map((l) => `${l.global}:${l.local1}:${l.local2}`).join(','),
    (a.unknown ?? []).map((u) => `${u.flags}/${u.type}/${hex(u.value)}`).join(','),
  ].join('|');
}
