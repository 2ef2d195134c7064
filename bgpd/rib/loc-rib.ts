// One address family's Loc-RIB: Map<PrefixKey, head slot> over the shared RouteSlots. Each prefix
// keeps every received path (accepted post-policy paths, plus attribute-less FILTERED markers so
// received counts stay exact), ordered best first. Mutations re-rank the prefix at once and record
// it as dirty when its best path or multipath set changed.
import type { PrefixKey } from '../wire/types';
import type { Candidate, DecisionOptions } from './decision';
import { rankPaths } from './decision';
import { NO_SLOT, SlotFlag } from './route-slots';
import type { RouteSlots } from './route-slots';

/** State of a peer's path for a prefix before an operation. */
export const enum PriorPath {
  NONE = 0,
  ACCEPTED = 1,
  FILTERED = 2,
}

/** Attribute id stored in FILTERED slots (they carry no attributes). */
export const NO_ATTR = 0xffffffff;

export class LocRib {
  readonly table = new Map<PrefixKey, number>();
  /**
   * Prefixes whose best path or multipath set changed since the last takeDirty(), in order, possibly
   * more than once (the export side compares with its Adj-RIB-Out, so a repeat costs one lookup). A
   * plain array: a Map rebuilt every batch cost ~0.3 CPU-s per million changes in growth alone.
   */
  private dirty: PrefixKey[] = [];
  private readonly scratch: number[] = [];

  constructor(
    private readonly slots: RouteSlots,
    private readonly candidate: (slot: number) => Candidate,
    private readonly decision: DecisionOptions,
    /** Called with the attribute id of a slot being freed or overwritten (drops its reference). */
    private readonly releaseAttr: (attr: number) => void,
  ) {}

  /** Inserts or replaces `peer`'s path. attr === NO_ATTR stores a FILTERED marker. Clears STALE. */
  upsert(prefix: PrefixKey, peer: number, attr: number): PriorPath {
    const s = this.slots;
    const head = this.table.get(prefix);
    const flags = attr === NO_ATTR ? SlotFlag.FILTERED : 0;
    if (head === undefined) {
      const slot = s.alloc(peer, attr, flags === 0 ? SlotFlag.BEST | SlotFlag.MULTIPATH : flags, NO_SLOT);
      this.table.set(prefix, slot);
      if (flags === 0) this.dirty.push(prefix);
      return PriorPath.NONE;
    }
    const before = this.signature(head);
    let prior = PriorPath.NONE;
    let slot = head;
    while (slot !== NO_SLOT && s.peer[slot] !== peer) slot = s.next[slot];
    if (slot === NO_SLOT) {
      // link the new slot after the head; rank() reorders
      s.next[head] = s.alloc(peer, attr, flags, s.next[head]);
    } else {
      prior = s.flags[slot] & SlotFlag.FILTERED ? PriorPath.FILTERED : PriorPath.ACCEPTED;
      const old = s.attr[slot];
      if (old !== NO_ATTR) this.releaseAttr(old);
      s.attr[slot] = attr;
      s.flags[slot] = flags;
    }
    this.rank(prefix, head, before);
    return prior;
  }

  /** Removes `peer`'s path; `onlyStale` keeps it unless it is marked STALE. Returns what was there. */
  remove(prefix: PrefixKey, peer: number, onlyStale = false): PriorPath {
    const s = this.slots;
    const head = this.table.get(prefix);
    if (head === undefined) return PriorPath.NONE;
    const before = this.signature(head);
    let prev = NO_SLOT;
    let slot = head;
    while (slot !== NO_SLOT && s.peer[slot] !== peer) { prev = slot; slot = s.next[slot]; }
    if (slot === NO_SLOT) return PriorPath.NONE;
    if (onlyStale && !(s.flags[slot] & SlotFlag.STALE)) return PriorPath.NONE;
    const prior = s.flags[slot] & SlotFlag.FILTERED ? PriorPath.FILTERED : PriorPath.ACCEPTED;
    const next = s.next[slot];
    if (prev === NO_SLOT) {
      if (next === NO_SLOT) this.table.delete(prefix);
      else this.table.set(prefix, next);
    } else s.next[prev] = next;
    if (s.attr[slot] !== NO_ATTR) this.releaseAttr(s.attr[slot]);
    s.release(slot);
    if (next === NO_SLOT && prev === NO_SLOT) {
      if (before !== -1) this.dirty.push(prefix);
    } else this.rank(prefix, prev === NO_SLOT ? next : head, before);
    return prior;
  }

  /** Marks `peer`'s path STALE (graceful restart). */
  markStale(prefix: PrefixKey, peer: number): boolean {
    const s = this.slots;
    for (let slot = this.table.get(prefix) ?? NO_SLOT; slot !== NO_SLOT; slot = s.next[slot]) {
      if (s.peer[slot] === peer) {
        s.flags[slot] |= SlotFlag.STALE;
        return true;
      }
    }
    return false;
  }

  /** The slot of the best path, or NO_SLOT. */
  best(prefix: PrefixKey): number {
    const head = this.table.get(prefix);
    if (head === undefined || !(this.slots.flags[head] & SlotFlag.BEST)) return NO_SLOT;
    return head;
  }

  /** The multipath set (best first). */
  multipath(prefix: PrefixKey): number[] {
    const s = this.slots;
    const out: number[] = [];
    for (let slot = this.best(prefix); slot !== NO_SLOT && s.flags[slot] & SlotFlag.MULTIPATH; slot = s.next[slot]) out.push(slot);
    return out;
  }

  get dirtyCount(): number {
    return this.dirty.length;
  }

  /** The changed prefixes since the last call (see `dirty`: may repeat; look the best up with best()). */
  takeDirty(): PrefixKey[] {
    const d = this.dirty;
    this.dirty = [];
    return d;
  }

  /** What the outside sees of a prefix: -1 (no best), the best attr id, or the multipath attr ids. */
  private signature(head: number): number | string {
    const s = this.slots;
    if (!(s.flags[head] & SlotFlag.BEST)) return -1;
    const second = s.next[head];
    if (second === NO_SLOT || !(s.flags[second] & SlotFlag.MULTIPATH)) return s.attr[head];
    let sig = '';
    for (let slot = head; slot !== NO_SLOT && s.flags[slot] & SlotFlag.MULTIPATH; slot = s.next[slot]) sig += `${s.attr[slot]},`;
    return sig;
  }

  /** Re-orders the list best first and sets BEST/MULTIPATH; marks dirty on a visible change. */
  private rank(prefix: PrefixKey, head: number, before: number | string): void {
    const s = this.slots;
    const eligible = this.scratch;
    eligible.length = 0;
    const filtered: number[] = [];
    for (let slot = head; slot !== NO_SLOT; slot = s.next[slot]) {
      if (s.flags[slot] & SlotFlag.FILTERED) filtered.push(slot);
      else eligible.push(slot);
    }
    let ordered: number[];
    let mp = 0;
    if (eligible.length <= 1) {
      ordered = eligible.slice();
      mp = eligible.length;
    } else {
      const r = rankPaths(eligible.map(this.candidate), this.decision);
      ordered = r.order.map((i) => eligible[i]);
      mp = r.multipath;
    }
    for (let i = 0; i < ordered.length; i++) {
      const keep = s.flags[ordered[i]] & (SlotFlag.STALE | SlotFlag.FILTERED);
      s.flags[ordered[i]] = keep | (i === 0 ? SlotFlag.BEST : 0) | (i < mp ? SlotFlag.MULTIPATH : 0);
    }
    ordered.push(...filtered);
    for (let i = 0; i < ordered.length; i++) s.next[ordered[i]] = i + 1 < ordered.length ? ordered[i + 1] : NO_SLOT;
    this.table.set(prefix, ordered[0]);
    if (this.signature(ordered[0]) !== before) this.dirty.push(prefix);
  }
}
