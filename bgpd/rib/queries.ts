// Read-only views of the RIB for bgpctl: one prefix with all its paths, and pageable iteration of
// the Loc-RIB, a peer's Adj-RIB-In and a peer's Adj-RIB-Out. Generators walk the live Maps, so a
// caller may keep one between pages (entries added meanwhile may or may not be seen).
import type { Afi, PathAttributes, PrefixKey } from '../wire/types';
import { NO_ATTR } from './loc-rib';
import type { Rib } from './rib';
import { NO_SLOT, SlotFlag } from './route-slots';
import type { PathView, PeerId, RouteView } from './types';
import { LOCAL_PEER } from './types';

function pathView(rib: Rib, slot: number): PathView {
  const s = rib.slots;
  const peer = s.peer[slot];
  const f = s.flags[slot];
  const attrs: PathAttributes = s.attr[slot] === NO_ATTR ? {} : rib.attrs.get(s.attr[slot]).attrs;
  return {
    peer,
    peerAddress: peer === LOCAL_PEER ? null : rib.peer(peer).config.address,
    best: (f & SlotFlag.BEST) !== 0,
    multipath: (f & SlotFlag.MULTIPATH) !== 0,
    stale: (f & SlotFlag.STALE) !== 0,
    filtered: (f & SlotFlag.FILTERED) !== 0,
    nextHop: attrs.nextHop,
    asPath: attrs.asPath ?? [],
    origin: attrs.origin,
    localPref: attrs.localPref,
    med: attrs.med,
    communities: attrs.communities ?? [],
    largeCommunities: attrs.largeCommunities ?? [],
    attrs,
  };
}

/** Every path of a prefix, best first, filtered ones last; null when the prefix is unknown. */
export function lookup(rib: Rib, afi: Afi, prefix: PrefixKey): RouteView | null {
  const head = rib.loc(afi).table.get(prefix);
  if (head === undefined) return null;
  const paths: PathView[] = [];
  for (let slot = head; slot !== NO_SLOT; slot = rib.slots.next[slot]) paths.push(pathView(rib, slot));
  return { prefix, paths };
}

/** Prefixes with a best path, with that path (and the rest of the multipath set). */
export function* locRibRoutes(rib: Rib, afi: Afi): Generator<RouteView> {
  const s = rib.slots;
  for (const [prefix, head] of rib.loc(afi).table) {
    if (!(s.flags[head] & SlotFlag.BEST)) continue;
    const paths: PathView[] = [];
    for (let slot = head; slot !== NO_SLOT && s.flags[slot] & SlotFlag.MULTIPATH; slot = s.next[slot]) paths.push(pathView(rib, slot));
    if (paths.length === 0) paths.push(pathView(rib, head));
    yield { prefix, paths };
  }
}

/** What a peer sent us (post-policy; rejected ones appear with filtered = true and no attributes). */
export function* adjRibIn(rib: Rib, peer: PeerId, afi: Afi): Generator<RouteView> {
  const s = rib.slots;
  for (const [prefix, head] of rib.loc(afi).table) {
    for (let slot = head; slot !== NO_SLOT; slot = s.next[slot]) {
      if (s.peer[slot] === peer) {
        yield { prefix, paths: [pathView(rib, slot)] };
        break;
      }
    }
  }
}

/** What we advertise to a peer (its update group's Adj-RIB-Out), with the exported attributes. */
export function* adjRibOut(rib: Rib, peer: PeerId, afi: Afi): Generator<{ prefix: PrefixKey; attrs: PathAttributes }> {
  const g = rib.peer(peer).groups.get(afi);
  if (!g) return;
  for (const [prefix, id] of g.adjOut) yield { prefix, attrs: g.out.get(id).attrs };
}

/** Takes up to `limit` items; `done` tells whether the source ran out. */
export function page<T>(it: Iterator<T>, limit: number): { items: T[]; done: boolean } {
  const items: T[] = [];
  while (items.length < limit) {
    const r = it.next();
    if (r.done) return { items, done: true };
    items.push(r.value);
  }
  return { items, done: false };
}
