// Route slots: the per-path storage of the Loc-RIB in parallel typed arrays (no JS object per
// route). A prefix's paths form a singly linked list through `next`, best first.

export const enum SlotFlag {
  BEST = 1,
  MULTIPATH = 2,
  /** Graceful restart: the session went down, the path is kept until EoR or the stale timer. */
  STALE = 4,
  /** Received but rejected (policy or loop check): counted, never a candidate, no attributes. */
  FILTERED = 8,
}

export const NO_SLOT = -1;

export class RouteSlots {
  peer = new Uint16Array(1024);
  attr = new Uint32Array(1024);
  flags = new Uint8Array(1024);
  next = new Int32Array(1024);
  private freeHead = NO_SLOT;
  private top = 0;
  private live = 0;

  alloc(peer: number, attr: number, flags: number, next: number): number {
    let s = this.freeHead;
    if (s !== NO_SLOT) this.freeHead = this.next[s];
    else {
      if (this.top === this.peer.length) this.grow();
      s = this.top++;
    }
    this.peer[s] = peer;
    this.attr[s] = attr;
    this.flags[s] = flags;
    this.next[s] = next;
    this.live++;
    return s;
  }

  release(s: number): void {
    this.next[s] = this.freeHead;
    this.flags[s] = 0;
    this.freeHead = s;
    this.live--;
  }

  get count(): number {
    return this.live;
  }

  /** Bytes held by the arrays (capacity, not just live slots). */
  get bytes(): number {
    return this.peer.length * (2 + 4 + 1 + 4);
  }

  private grow(): void {
    // grow by 1.5x: doubling would waste up to half of a large table
    const n = Math.ceil(this.peer.length * 1.5);
    const p = new Uint16Array(n); p.set(this.peer); this.peer = p;
    const a = new Uint32Array(n); a.set(this.attr); this.attr = a;
    const f = new Uint8Array(n); f.set(this.flags); this.flags = f;
    const x = new Int32Array(n); x.set(this.next); this.next = x;
  }
}
